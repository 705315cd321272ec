//! `form` and `query` encoding as Particle's Node cloud does it (`qs.stringify` in RFC 3986
//! format): `key=value` joined with `&`, both percent-encoded; nested objects and arrays use
//! bracket keys (`a[b]=1`, `a[0]=x`); `null` is an empty value; empty objects and lists vanish.

use serde_json::Value;

use crate::escape::encode_uri_component;
use crate::value::js_string;

/// Ordered `key=value` pairs where a later key replaces an earlier one in place (JavaScript
/// object semantics: `{...defaults, ...userFields}` keeps the first position, takes the last value).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Pairs(pub Vec<(String, String)>);

impl Pairs {
    pub fn set(&mut self, key: String, value: String) {
        match self.0.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = value,
            None => self.0.push((key, value)),
        }
    }

    /// Adds a non-string JSON value under `key`, flattened the way `qs` does.
    pub fn set_json(&mut self, key: String, value: &Value) {
        match value {
            Value::Object(map) => {
                for (k, v) in map {
                    self.set_json(format!("{key}[{k}]"), v);
                }
            }
            Value::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    self.set_json(format!("{key}[{i}]"), v);
                }
            }
            other => self.set(key, js_string(other)),
        }
    }

    pub fn encode(&self, out: &mut String) {
        for (i, (k, v)) in self.0.iter().enumerate() {
            if i > 0 {
                out.push('&');
            }
            encode_uri_component(out, k);
            out.push('=');
            encode_uri_component(out, v);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Appends an encoded query string to a URL: `?` or `&` as needed, before any `#fragment`.
pub(crate) fn append_query(url: &mut String, pairs: &Pairs) {
    if pairs.is_empty() {
        return;
    }
    let fragment = url.find('#').map(|i| url.split_off(i));
    match url.find('?') {
        None => url.push('?'),
        Some(_) if url.ends_with('?') || url.ends_with('&') => {}
        Some(_) => url.push('&'),
    }
    pairs.encode(url);
    if let Some(f) = fragment {
        url.push_str(&f);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn later_keys_replace_in_place() {
        let mut p = Pairs::default();
        p.set("event".into(), "a".into());
        p.set("data".into(), "b".into());
        p.set("event".into(), "c".into());
        let mut out = String::new();
        p.encode(&mut out);
        assert_eq!(out, "event=c&data=b");
    }

    #[test]
    fn nested_values_use_brackets() {
        let mut p = Pairs::default();
        p.set_json("a".into(), &json!({"b": 1, "c": [true, null]}));
        let mut out = String::new();
        p.encode(&mut out);
        assert_eq!(out, "a%5Bb%5D=1&a%5Bc%5D%5B0%5D=true&a%5Bc%5D%5B1%5D=");
    }

    #[test]
    fn query_joins_existing_query_and_keeps_fragment() {
        let mut p = Pairs::default();
        p.set("k".into(), "v w".into());
        let mut url = "http://h/p?x=1#frag".to_owned();
        append_query(&mut url, &p);
        assert_eq!(url, "http://h/p?x=1&k=v%20w#frag");
        let mut url = "http://h/p".to_owned();
        append_query(&mut url, &p);
        assert_eq!(url, "http://h/p?k=v%20w");
    }
}
