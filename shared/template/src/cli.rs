//! The `particle-template` command line, kept in the library so it is tested like the rest.
//! Arguments are parsed by hand: three subcommands do not justify a parser dependency.

use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::compile::Template;
use crate::escape::Escaping;
use crate::limits::Limits;
use crate::spec::{EventFile, run_file};
use crate::vars::{EventScope, Scope};
use crate::webhook::{WebhookDefinition, WebhookTemplate};

/// Exit status: success.
pub const EXIT_OK: u8 = 0;
/// Exit status: a spec test failed, or a template or input was rejected.
pub const EXIT_FAILED: u8 = 1;
/// Exit status: the command line was wrong.
pub const EXIT_USAGE: u8 = 2;

pub const USAGE: &str = "\
usage:
  particle-template render TEMPLATE_FILE (--event EVENT.json | --data DATA.json)
                           [--partial NAME=FILE]... [--json-escape]
      Prints the rendering of a Mustache template. With --event, the template sees what a
      Particle webhook sees: PARTICLE_* / PRODUCT_* / SPARK_* variables and, when the event
      data is a JSON object, its keys. EVENT.json is
      {\"name\", \"data\", \"coreid\", \"published_at\"} plus optional \"product_id\",
      \"fw_version\", \"event_id\", \"user_id\". With --data the JSON file is the whole context.
  particle-template webhook HOOK.json --event EVENT.json [--response BODY_FILE]
      Prints the request a webhook definition (the JSON given to `particle webhook create`)
      sends for the event; with --response, also the events the device receives for that
      response body.
  particle-template spec FILE...
      Runs mustache-spec JSON test files (a test may carry \"event\" instead of \"data\"),
      prints each failure and a final `N passed, M failed` line; exits 0 only if none failed.
";

/// Runs the CLI; returns the exit status.
pub fn run(args: &[OsString], out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let args: Vec<String> = match args.iter().map(|a| a.clone().into_string()).collect() {
        Ok(a) => a,
        Err(bad) => {
            let _ = writeln!(err, "error: argument is not valid UTF-8: {bad:?}");
            return EXIT_USAGE;
        }
    };
    let result = match args.first().map(String::as_str) {
        Some("render") => render(&args[1..], out),
        Some("webhook") => webhook(&args[1..], out),
        Some("spec") => spec(&args[1..], out),
        Some("help" | "--help" | "-h") => {
            let _ = out.write_all(USAGE.as_bytes());
            return EXIT_OK;
        }
        Some(other) => Err(Failure::Usage(format!("unknown command `{other}`"))),
        None => Err(Failure::Usage("missing command".into())),
    };
    match result {
        Ok(code) => code,
        Err(Failure::Usage(msg)) => {
            let _ = writeln!(err, "error: {msg}\n\n{USAGE}");
            EXIT_USAGE
        }
        Err(Failure::Failed(msg)) => {
            let _ = writeln!(err, "error: {msg}");
            EXIT_FAILED
        }
    }
}

enum Failure {
    Usage(String),
    Failed(String),
}

fn read(path: &Path) -> Result<String, Failure> {
    std::fs::read_to_string(path)
        .map_err(|e| Failure::Failed(format!("cannot read {}: {e}", path.display())))
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path, what: &str) -> Result<T, Failure> {
    serde_json::from_str(&read(path)?)
        .map_err(|e| Failure::Failed(format!("{} is not a valid {what}: {e}", path.display())))
}

fn write_out(out: &mut dyn Write, text: &str) -> Result<u8, Failure> {
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| Failure::Failed(format!("cannot write output: {e}")))?;
    Ok(EXIT_OK)
}

/// Takes the value of `--flag VALUE` at `args[*i]`.
fn value<'a>(args: &'a [String], i: &mut usize, flag: &str) -> Result<&'a str, Failure> {
    *i += 1;
    args.get(*i)
        .map(String::as_str)
        .ok_or_else(|| Failure::Usage(format!("{flag} needs a value")))
}

fn render(args: &[String], out: &mut dyn Write) -> Result<u8, Failure> {
    let mut template_path = None;
    let mut event_path = None;
    let mut data_path = None;
    let mut partials: Vec<(String, String)> = Vec::new();
    let mut escaping = Escaping::Html;
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "--event" => event_path = Some(PathBuf::from(value(args, &mut i, "--event")?)),
            "--data" => data_path = Some(PathBuf::from(value(args, &mut i, "--data")?)),
            "--partial" => {
                let spec = value(args, &mut i, "--partial")?;
                let (name, file) = spec.split_once('=').ok_or_else(|| {
                    Failure::Usage(format!("--partial expects NAME=FILE, got `{spec}`"))
                })?;
                partials.push((name.to_owned(), read(Path::new(file))?));
            }
            "--json-escape" => escaping = Escaping::JsonString,
            flag if flag.starts_with("--") => {
                return Err(Failure::Usage(format!("unknown option `{flag}`")));
            }
            path if template_path.is_none() => template_path = Some(PathBuf::from(path)),
            extra => return Err(Failure::Usage(format!("unexpected argument `{extra}`"))),
        }
        i += 1;
    }
    let template_path =
        template_path.ok_or_else(|| Failure::Usage("render needs a TEMPLATE_FILE".into()))?;
    if event_path.is_some() == data_path.is_some() {
        return Err(Failure::Usage(
            "render needs exactly one of --event or --data".into(),
        ));
    }
    let source = read(&template_path)?;
    let template = Template::compile_with(&source, &partials, Limits::DEFAULT)
        .map_err(|e| Failure::Failed(format!("{}: {e}", template_path.display())))?;
    let rendered = match (event_path, data_path) {
        (Some(event), None) => {
            let event: EventFile = read_json(&event, "event file")?;
            template.render_with(EventScope::new(event.vars()).scope(), escaping)
        }
        (None, Some(data)) => {
            let data: Value = read_json(&data, "JSON file")?;
            template.render_with(Scope::value(&data), escaping)
        }
        _ => {
            return Err(Failure::Usage(
                "render needs exactly one of --event or --data".into(),
            ));
        }
    }
    .map_err(|e| Failure::Failed(e.to_string()))?;
    write_out(out, &rendered)
}

fn webhook(args: &[String], out: &mut dyn Write) -> Result<u8, Failure> {
    let mut hook_path = None;
    let mut event_path = None;
    let mut response_path = None;
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "--event" => event_path = Some(PathBuf::from(value(args, &mut i, "--event")?)),
            "--response" => response_path = Some(PathBuf::from(value(args, &mut i, "--response")?)),
            flag if flag.starts_with("--") => {
                return Err(Failure::Usage(format!("unknown option `{flag}`")));
            }
            path if hook_path.is_none() => hook_path = Some(PathBuf::from(path)),
            extra => return Err(Failure::Usage(format!("unexpected argument `{extra}`"))),
        }
        i += 1;
    }
    let hook_path = hook_path.ok_or_else(|| Failure::Usage("webhook needs a HOOK.json".into()))?;
    let event_path =
        event_path.ok_or_else(|| Failure::Usage("webhook needs --event EVENT.json".into()))?;
    let def = WebhookDefinition::from_json(&read(&hook_path)?)
        .map_err(|e| Failure::Failed(format!("{}: {e}", hook_path.display())))?;
    let hook = WebhookTemplate::new(&def)
        .map_err(|e| Failure::Failed(format!("{}: {e}", hook_path.display())))?;
    let event: EventFile = read_json(&event_path, "event file")?;
    let scope = EventScope::new(event.vars());
    let req = hook
        .render(&scope)
        .map_err(|e| Failure::Failed(e.to_string()))?;
    let mut text = format!("{} {}\n", req.method.as_str(), req.url);
    for (k, v) in &req.headers {
        text.push_str(&format!("{k}: {v}\n"));
    }
    if let Some(auth) = &req.basic_auth {
        text.push_str(&format!("(basic auth: user `{}`)\n", auth.username));
    }
    if let Some(body) = &req.body {
        text.push('\n');
        text.push_str(body);
        text.push('\n');
    }
    if let Some(path) = response_path {
        let body = read(&path)?;
        let resp = hook
            .response()
            .render(&scope, &body)
            .map_err(|e| Failure::Failed(e.to_string()))?;
        text.push_str("\n# device receives\n");
        for (name, data) in resp.events() {
            text.push_str(&format!("{name}: {data}\n"));
        }
        if resp.truncated {
            text.push_str("# (response truncated at 100 KiB)\n");
        }
    }
    write_out(out, &text)
}

fn spec(args: &[String], out: &mut dyn Write) -> Result<u8, Failure> {
    if args.is_empty() {
        return Err(Failure::Usage("spec needs at least one FILE".into()));
    }
    let (mut passed, mut failed) = (0usize, 0usize);
    let mut text = String::new();
    for file in args {
        let outcomes = run_file(Path::new(file), Limits::DEFAULT)
            .map_err(|e| Failure::Failed(e.to_string()))?;
        for o in outcomes {
            if o.passed() {
                passed += 1;
                continue;
            }
            failed += 1;
            text.push_str(&format!(
                "FAIL {file}: {}\n  expected: {}\n",
                o.name,
                quote(&o.expected)
            ));
            match &o.got {
                Ok(got) => text.push_str(&format!("  got:      {}\n", quote(got))),
                Err(e) => text.push_str(&format!("  got:      {e}\n")),
            }
        }
    }
    text.push_str(&format!("{passed} passed, {failed} failed\n"));
    write_out(out, &text)?;
    Ok(if failed == 0 { EXIT_OK } else { EXIT_FAILED })
}

/// A string as a JSON literal, so whitespace and newlines are visible.
fn quote(s: &str) -> String {
    Value::String(s.to_owned()).to_string()
}
