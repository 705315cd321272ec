//! Template compile + render (`particle-template`): the input is a template source and event data separated by
//! the first NUL byte. Never a panic: a bad template is a compile error, a bad render a render error.
#![no_main]

use libfuzzer_sys::fuzz_target;
use particle_template::{EventScope, EventVars, Template};

fuzz_target!(|input: &[u8]| {
    let Ok(input) = std::str::from_utf8(input) else {
        return;
    };
    let (source, data) = input
        .split_once('\0')
        .unwrap_or((input, "{\"a\":[1,2.5,\"x\"],\"b\":{\"c\":true}}"));
    let Ok(template) = Template::compile(source) else {
        return;
    };
    let scope = EventScope::new(EventVars {
        name: "fuzz",
        data,
        coreid: "3f002b000000000000000000",
        published_at: "2026-11-26T12:00:00.000Z",
        event_id: Some("e1"),
        product_id: None,
        fw_version: None,
        user_id: None,
    });
    let _ = template.render(&scope);
    let _ = template.render_typed((&scope).into());
    if let Ok(value) = serde_json::from_str::<serde_json::Value>(data) {
        let _ = template.render(&value);
    }
});
