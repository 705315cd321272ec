//! Property tests: no template and no data make rendering panic; chunking always reassembles.

use particle_template::{CHUNK_BYTES, EventScope, EventVars, Limits, Scope, Template, chunks};
use proptest::prelude::*;
use serde_json::Value;

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        "[a-c.0-9 é<&\"]{0,6}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 40, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::btree_map("[a-c0-2.]{1,2}", inner, 0..5)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Templates built from Mustache fragments, so tags, sections, partials and delimiter changes
/// collide in every order (plain random strings rarely form tags).
fn template() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("{{"),
        Just("}}"),
        Just("{{{"),
        Just("}}}"),
        Just("{{#a}}"),
        Just("{{^a}}"),
        Just("{{/a}}"),
        Just("{{#b.0}}"),
        Just("{{/b.0}}"),
        Just("{{.}}"),
        Just("{{a.b.c}}"),
        Just("{{&c}}"),
        Just("{{>p}}"),
        Just("{{>*a}}"),
        Just("{{! x }}"),
        Just("{{=<% %>=}}"),
        Just("<%a%>"),
        Just("<%={{ }}=%>"),
        Just("{{="),
        Just("#"),
        Just("a"),
        Just(" "),
        Just("  "),
        Just("\n"),
        Just("\r\n"),
        Just("é"),
        Just("{{PARTICLE_EVENT_VALUE}}"),
    ];
    prop::collection::vec(piece, 0..24).prop_map(|v| v.concat())
}

fn small_limits() -> Limits {
    Limits {
        max_output_bytes: 64 * 1024,
        max_steps: 100_000,
        max_partial_depth: 8,
        ..Limits::DEFAULT
    }
}

fn render_all(src: &str, partial: &str, data: &Value) {
    let partials = [("p", partial), ("a", src)];
    if let Ok(t) = Template::compile_with(src, &partials, small_limits()) {
        let _ = t.render(Scope::value(data));
        let text = data.to_string();
        let vars = EventVars {
            name: "e",
            data: &text,
            coreid: "c",
            published_at: "t",
            ..EventVars::default()
        };
        let _ = t.render(&EventScope::new(vars));
        let _ = t.render_typed(Scope::value(data));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn rendering_never_panics_on_fragment_templates(src in template(), partial in template(), data in json_value()) {
        render_all(&src, &partial, &data);
    }

    #[test]
    fn rendering_never_panics_on_arbitrary_strings(src in any::<String>(), data in json_value()) {
        render_all(&src, "", &data);
    }

    #[test]
    fn chunks_reassemble_and_fit(s in any::<String>(), max in 1usize..600) {
        let parts: Vec<&str> = chunks(&s, max).collect();
        prop_assert_eq!(parts.concat(), s.clone());
        for p in &parts {
            prop_assert!(!p.is_empty());
            prop_assert!(p.len() <= max || p.chars().count() == 1);
        }
        let parts: Vec<&str> = chunks(&s, CHUNK_BYTES).collect();
        prop_assert_eq!(parts.concat(), s.clone());
        prop_assert!(parts.iter().all(|p| p.len() <= CHUNK_BYTES));
        // Every chunk but the last is within 3 bytes of full (only a split character shortens it).
        if let Some((_, head)) = parts.split_last() {
            prop_assert!(head.iter().all(|p| p.len() > CHUNK_BYTES - 4));
        }
    }

    #[test]
    fn numbers_print_like_ryu_js(bits in any::<u64>(), m in 0u64..10_000_000_000_000_000, k in 0i32..20) {
        // Random doubles and random short decimals: our text must be ECMAScript's.
        for f in [f64::from_bits(bits), m as f64 / 10f64.powi(k), -(m as f64) / 10f64.powi(k)] {
            let v = serde_json::Number::from_f64(f).map(Value::Number);
            if let Some(v) = v {
                let t = Template::compile("{{n}}").map_err(|e| TestCaseError::fail(e.to_string()))?;
                let data = serde_json::json!({ "n": v });
                let got = t.render(Scope::value(&data)).map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert_eq!(got, ryu_js::Buffer::new().format(f).to_owned());
            }
        }
    }

    #[test]
    fn long_multibyte_strings_chunk_on_boundaries(reps in 1usize..400, prefix in 0usize..8) {
        let s = format!("{}{}", "x".repeat(prefix), "é€😀".repeat(reps));
        let parts: Vec<&str> = chunks(&s, CHUNK_BYTES).collect();
        prop_assert_eq!(parts.concat(), s.clone());
        prop_assert!(parts.iter().all(|p| p.len() <= CHUNK_BYTES));
    }
}
