//! Render allocations are bounded: rendering a compiled template over a prepared event allocates
//! its output buffer and nothing else, however many sections, lists and tags it has. Counted with
//! a counting global allocator (this test binary only).

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use particle_template::{Escaping, EventScope, EventVars, Template};

struct Counting;

thread_local! {
    // Per thread, so tests running in parallel do not count each other's allocations. A `const`
    // initialised `Cell` needs no allocation of its own.
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

fn count() {
    // `try_with`: during thread teardown the slot may be gone; not counting then is fine.
    let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
}

// SAFETY: forwards every call to the system allocator unchanged; only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Allocations (including reallocations) made by `f`.
fn allocations<T>(f: impl FnOnce() -> T) -> (usize, T) {
    let before = ALLOCATIONS.with(Cell::get);
    let out = f();
    (ALLOCATIONS.with(Cell::get) - before, out)
}

const GEO: &str = r#"{ {{#c}}"considerIp":false,"radioType": "gsm","carrier": "{{o}}","cellTowers":[{{#a}}{"cellId":{{i}},"locationAreaCode":{{l}},"mobileCountryCode":{{c}},"mobileNetworkCode":{{n}} },{{/a}}{"cellId":{{a.0.i}},"locationAreaCode":{{a.0.l}},"mobileCountryCode":{{a.0.c}},"mobileNetworkCode":{{a.0.n}} }]{{/c}}{{#w}}"considerIp":{{i}},"wifiAccessPoints":[{{#a}}{"macAddress":"{{m}}","signalStrength":{{s}},"channel":{{c}} },{{/a}}{"macAddress":"{{a.0.m}}","signalStrength":{{a.0.s}},"channel":{{a.0.c}} }]{{/w}} }"#;

fn scan(access_points: usize) -> String {
    let aps: Vec<String> = (0..access_points)
        .map(|k| {
            format!(
                r#"{{"m":"a4:2b:b0:00:00:{:02x}","s":{},"c":{}}}"#,
                k % 256,
                -40 - (k as i64 % 50),
                1 + k % 11
            )
        })
        .collect();
    format!(r#"{{"w":{{"i":true,"a":[{}]}}}}"#, aps.join(","))
}

fn event(data: &str) -> EventVars<'_> {
    EventVars {
        name: "deviceLocator",
        data,
        coreid: "e00fce68b1b2c3d4e5f60718",
        published_at: "2026-11-26T22:58:01.123Z",
        ..EventVars::default()
    }
}

#[test]
fn a_render_allocates_only_its_output() {
    let cases = [
        (GEO, scan(10)),
        (GEO, scan(1)),
        (
            r#"{"event":"{{{PARTICLE_EVENT_NAME}}}","data":"{{{PARTICLE_EVENT_VALUE}}}","coreid":"{{{PARTICLE_DEVICE_ID}}}","published_at":"{{{PARTICLE_PUBLISHED_AT}}}"}"#,
            r#"{"t":21.5,"h":40}"#.to_string(),
        ),
        (
            "{{^error}}{{location.lat}},{{location.lng}},{{accuracy}}{{/error}}{{#error}}{{message}}{{/error}}",
            r#"{"location":{"lat":42.3857729,"lng":-75.195375},"accuracy":4737}"#.to_string(),
        ),
        (
            "{{#a}}{{#b}}{{#c}}<{{d}}>{{/c}}{{/b}}{{/a}}",
            r#"{"a":{"b":[{"c":[{"d":"x&y"}]}]}}"#.to_string(),
        ),
    ];
    for (template, data) in &cases {
        let t = Template::compile(template).expect("compiles");
        let scope = EventScope::new(event(data));
        // The first render learns the output size; from then on the buffer is sized right.
        let first = t.render(&scope).expect("renders");
        let (n, out) = allocations(|| t.render(&scope).expect("renders"));
        assert_eq!(out, first);
        assert_eq!(
            n,
            1,
            "{template} over {data}: {n} allocations for {} bytes",
            out.len()
        );
        // Into a caller's buffer with room: no allocation at all.
        let mut buf = String::with_capacity(2 * out.len());
        let (n, ()) = allocations(|| {
            t.render_into((&scope).into(), Escaping::Html, &mut buf)
                .expect("renders")
        });
        assert_eq!(buf, out);
        assert_eq!(
            n, 0,
            "{template} over {data}: render_into allocated {n} times"
        );
    }
}

#[test]
fn allocations_do_not_grow_with_the_data() {
    // Output far larger than the template: the buffer may grow, but by doubling, so the count
    // stays logarithmic in the output size rather than one per tag or per list item.
    let t = Template::compile(GEO).expect("compiles");
    for access_points in [10, 100, 1_000] {
        let data = scan(access_points);
        let scope = EventScope::new(event(&data));
        // The scope parses and lays out its data on first use, once per event; count the render.
        assert!(scope.data().is_some());
        Template::compile("{{#w}}{{/w}}")
            .expect("compiles")
            .render(&scope)
            .expect("renders");
        let (n, out) = allocations(|| t.render(&scope).expect("renders"));
        let doublings = (out.len() as f64).log2().ceil() as usize;
        assert!(
            n <= doublings,
            "{access_points} access points: {n} allocations for {} bytes",
            out.len()
        );
    }
}

#[test]
fn predefined_variables_alone_never_parse_the_data() {
    // Particle's default body reads only predefined variables: a fresh scope over JSON data
    // renders it without parsing that data (the parse would allocate a map per object).
    let t = Template::compile(
        r#"{"event":"{{{PARTICLE_EVENT_NAME}}}","data":"{{{PARTICLE_EVENT_VALUE}}}"}"#,
    )
    .expect("compiles");
    let data = scan(10);
    t.render(&EventScope::new(event(&data))).expect("renders");
    let scope = EventScope::new(event(&data));
    let (n, out) = allocations(|| t.render(&scope).expect("renders"));
    assert!(out.contains("a4:2b:b0"));
    assert_eq!(n, 1, "{n} allocations: the data was parsed");
}
