//! Locator scan parsing (`particle_geo::read`: parse, then normalise) of any event data. Never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = particle_geo::read(text);
    }
});
