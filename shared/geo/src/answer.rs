//! The answer the device gets: numbers printed the way JavaScript's `Number.prototype.toString` prints them
//! (Particle's cloud is Node.js, and the google-maps-device-locator library splits `lat,lng,accuracy` on commas
//! and parses each with `atof`).
//!
//! ryu-js implements ECMA-262's Number::toString exactly; particle-template prints numbers the same way when a
//! response template (`GEOLOCATE_RESPONSE_TEMPLATE`) is rendered over [`template_vars`]; a test checks that the
//! two agree.

use serde_json::{Map, Value};

use crate::location::Location;
use crate::normalise::Source;

/// `f` as JavaScript prints it: `4737.0` -> `4737`, `-0.0` -> `0`, `1e21` -> `1e+21`.
pub fn js_number(f: f64) -> String {
    ryu_js::Buffer::new().format(f).to_owned()
}

/// `lat,lng,accuracy`, what Particle's Google Maps integration answers (e.g. `42.3857729,-75.195375,4737`).
pub fn default_answer(location: &Location) -> String {
    let mut buf = ryu_js::Buffer::new();
    let mut out = String::with_capacity(48);
    out.push_str(buf.format(location.lat));
    out.push(',');
    out.push_str(buf.format(location.lng));
    out.push(',');
    out.push_str(buf.format(location.accuracy));
    out
}

/// The variables a response template sees: `lat`, `lng`, `accuracy` (numbers), `source` (`wifi`, `cell`,
/// `wifi+cell`, `gnss`), `provider` (absent for a GNSS fix) and `cached` (bool).
pub fn template_vars(
    location: &Location,
    source: Source,
    provider: Option<&str>,
    cached: bool,
) -> Value {
    let mut m = Map::new();
    let num = |f: f64| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number);
    m.insert("lat".into(), num(location.lat));
    m.insert("lng".into(), num(location.lng));
    m.insert("accuracy".into(), num(location.accuracy));
    m.insert("source".into(), Value::String(source.as_str().into()));
    if let Some(p) = provider {
        m.insert("provider".into(), Value::String(p.into()));
    }
    m.insert("cached".into(), Value::Bool(cached));
    Value::Object(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prints_like_javascript() {
        let l = Location {
            lat: 42.3857729,
            lng: -75.195375,
            accuracy: 4737.0,
        };
        assert_eq!(default_answer(&l), "42.3857729,-75.195375,4737");
        assert_eq!(js_number(-0.0), "0");
        assert_eq!(js_number(24.5), "24.5");
        assert_eq!(js_number(1e21), "1e+21");
        assert_eq!(js_number(1.5e-7), "1.5e-7");
        assert_eq!(js_number(0.1 + 0.2), "0.30000000000000004");
    }

    #[test]
    fn default_template_renders_the_same_text() {
        let template =
            particle_template::Template::compile("{{lat}},{{lng}},{{accuracy}}").expect("compiles");
        for l in [
            Location {
                lat: 42.3857729,
                lng: -75.195375,
                accuracy: 4737.0,
            },
            Location {
                lat: -33.8688,
                lng: 151.2093,
                accuracy: 24.5,
            },
            Location {
                lat: 0.000001,
                lng: -0.0,
                accuracy: 1e-7,
            },
            Location {
                lat: 51.477928,
                lng: -0.001545,
                accuracy: 12345.678901234567,
            },
        ] {
            let vars = template_vars(&l, Source::Wifi, Some("google"), false);
            assert_eq!(
                template.render(&vars).expect("renders"),
                default_answer(&l),
                "{l:?}"
            );
        }
    }
}
