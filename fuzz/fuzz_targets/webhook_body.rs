//! Webhook body decoding (`particle-events`): any bytes, as a form body, as a JSON body and sniffed. Never a
//! panic; an accepted event carries the id its fields give (the id is the exactly-once key).
#![no_main]

use libfuzzer_sys::fuzz_target;
use particle_events::{
    Event, event_id, parse_webhook, parse_webhook_form, parse_webhook_json, sniff,
};

const RECEIVED: &str = "2026-11-26T12:00:00.000Z";

fn check(event: &Event) {
    assert_eq!(
        event.id,
        event_id(&event.coreid, &event.published_at, &event.name, &event.data),
        "the id is a function of the stored fields"
    );
}

fuzz_target!(|body: &[u8]| {
    if let Ok(event) = parse_webhook_form(body, RECEIVED) {
        check(&event);
    }
    if let Ok(event) = parse_webhook_json(body, RECEIVED) {
        check(&event);
    }
    if let Some(encoding) = sniff(body) {
        if let Ok(event) = parse_webhook(encoding, body, RECEIVED) {
            check(&event);
        }
    }
});
