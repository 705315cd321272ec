//! The `particle-template` binary, run as a user would.

use std::path::PathBuf;
use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_particle-template"))
}

fn tmp(name: &str, content: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("particle-template-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    std::fs::write(&path, content).expect("write temp file");
    path
}

fn run(cmd: &mut Command) -> (i32, String, String) {
    let out = cmd.output().expect("binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn render_with_event_and_with_data() {
    let template = tmp(
        "t.mustache",
        r#"{"{{PARTICLE_EVENT_NAME}}":"{{{PARTICLE_EVENT_VALUE}}}","t":{{t}}}"#,
    );
    let event = tmp(
        "event.json",
        r#"{"name":"Temperature/Kitchen","data":"{\"t\":20.0}","coreid":"3f002b000000000000000000","published_at":"2017-02-01T21:08:05.763Z","product_id":1234}"#,
    );
    let (code, out, err) = run(bin()
        .arg("render")
        .arg(&template)
        .arg("--event")
        .arg(&event));
    assert_eq!((code, err.as_str()), (0, ""));
    assert_eq!(out, r#"{"Temperature/Kitchen":"{"t":20.0}","t":20}"#);

    let data = tmp(
        "data.json",
        r#"{"PARTICLE_EVENT_NAME":"n","PARTICLE_EVENT_VALUE":"v","t":1e21}"#,
    );
    let (code, out, _) = run(bin().arg("render").arg(&template).arg("--data").arg(&data));
    assert_eq!(code, 0);
    assert_eq!(out, r#"{"n":"v","t":1e+21}"#);
}

#[test]
fn usage_and_input_errors() {
    let (code, _, err) = run(&mut bin());
    assert_eq!(code, 2);
    assert!(
        err.contains("missing command") && err.contains("usage:"),
        "{err}"
    );
    let (code, _, err) = run(bin().args(["render", "x.mustache"]));
    assert_eq!(code, 2);
    assert!(err.contains("exactly one of --event or --data"), "{err}");
    let (code, _, err) = run(bin().args(["render", "/nonexistent/t", "--data", "/nonexistent/d"]));
    assert_eq!(code, 1);
    assert!(err.contains("cannot read /nonexistent/t"), "{err}");
    let bad = tmp("bad.mustache", "line1\n{{#open}}");
    let data = tmp("empty.json", "{}");
    let (code, _, err) = run(bin().arg("render").arg(&bad).arg("--data").arg(&data));
    assert_eq!(code, 1);
    assert!(
        err.contains("section `open` is opened but never closed at line 2, column 1"),
        "{err}"
    );
    let (code, out, _) = run(bin().arg("--help"));
    assert_eq!(code, 0);
    assert!(out.contains("particle-template spec FILE..."));
}

#[test]
fn spec_command_reports_failures_and_totals() {
    let file = tmp(
        "mine.json",
        r#"{"tests":[
          {"name":"ok","data":{"a":1},"template":"{{a}}","expected":"1"},
          {"name":"event","event":{"name":"temp","data":"{\"t\":21.50}","coreid":"abc","published_at":"now"},
           "template":"{{PARTICLE_EVENT_NAME}}={{t}}","expected":"temp=21.5"},
          {"name":"wrong","data":{},"template":"x\n","expected":"y"},
          {"name":"broken","data":{},"template":"{{#a}}","expected":""}
        ]}"#,
    );
    let (code, out, _) = run(bin().arg("spec").arg(&file));
    assert_eq!(code, 1);
    assert!(
        out.contains(": wrong\n  expected: \"y\"\n  got:      \"x\\n\"\n"),
        "{out}"
    );
    assert!(
        out.contains(": broken\n  expected: \"\"\n  got:      compile error: section `a`"),
        "{out}"
    );
    assert!(out.ends_with("2 passed, 2 failed\n"), "{out}");

    let ok = tmp(
        "ok.json",
        r#"{"tests":[{"name":"ok","data":{"a":1},"template":"{{a}}","expected":"1"}]}"#,
    );
    let (code, out, _) = run(bin().arg("spec").arg(&ok));
    assert_eq!((code, out.as_str()), (0, "1 passed, 0 failed\n"));

    let (code, _, err) = run(bin().args(["spec", "/nonexistent.json"]));
    assert_eq!(code, 1);
    assert!(err.contains("cannot read /nonexistent.json"), "{err}");
}

#[test]
fn spec_command_runs_the_core_suite_when_available() {
    let Some(dir) = std::env::var_os("MUSTACHE_SPEC_DIR").map(PathBuf::from) else {
        note("note: MUSTACHE_SPEC_DIR is not set; skipping the CLI spec run");
        return;
    };
    let files = particle_template::spec::CORE_MODULES.map(|m| dir.join(format!("{m}.json")));
    let (code, out, _) = run(bin().arg("spec").args(&files));
    assert_eq!((code, out.as_str()), (0, "136 passed, 0 failed\n"));
}

#[test]
fn webhook_command_prints_the_request_and_response_events() {
    let hook = tmp(
        "hook.json",
        r#"{"event":"loc","url":"https://www.googleapis.com/geolocation/v1/geolocate","noDefaults":true,
            "query":{"key":"K"},"json":{"lat":"{{{lat}}}"},
            "responseTemplate":"{{location.lat}},{{accuracy}}"}"#,
    );
    let event = tmp(
        "ev.json",
        r#"{"name":"loc","data":{"lat":1.5},"coreid":"dev","published_at":"t"}"#,
    );
    let resp = tmp("resp.json", r#"{"location":{"lat":42.1},"accuracy":30}"#);
    let (code, out, err) = run(bin()
        .arg("webhook")
        .arg(&hook)
        .arg("--event")
        .arg(&event)
        .arg("--response")
        .arg(&resp));
    assert_eq!((code, err.as_str()), (0, ""));
    assert_eq!(
        out,
        "POST https://www.googleapis.com/geolocation/v1/geolocate?key=K\nContent-Type: application/json\n\
         Accept: application/json\n\n{\"lat\":\"1.5\"}\n\n# device receives\nhook-response/loc/0: 42.1,30\n"
    );
}

/// Prints past the test harness's output capture (direct writes to stderr are not captured), so
/// a skipped conformance run is visible in `cargo test` output.
fn note(msg: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "{msg}");
}
