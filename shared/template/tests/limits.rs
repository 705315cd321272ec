//! Safety limits and error messages: every limit fails with a clear error, never a stack overflow.

use particle_template::{CompileError, Limits, RenderError, Scope, SyntaxError, Template};
use serde_json::json;

fn no_partials() -> &'static [(&'static str, &'static str)] {
    &[]
}

#[test]
fn syntax_errors_have_line_and_column() {
    let cases = [
        (
            "ab\ncd {{name",
            "unclosed tag: `{{` has no matching `}}` at line 2, column 4",
        ),
        (
            "x\n  {{#a}}\n",
            "section `a` is opened but never closed at line 2, column 3",
        ),
        (
            "{{/a}}",
            "closing tag `a` has no open section at line 1, column 1",
        ),
        (
            "{{#a}}\n{{/b}}",
            "section `a` is closed by `b` at line 2, column 1",
        ),
        (
            "é {{=<% %>=}} <%x",
            "unclosed tag: `<%` has no matching `%>` at line 1, column 15",
        ),
        (
            "{{= a =}}",
            "invalid set-delimiter tag `{{= a =}}`: expected two delimiters separated by whitespace, neither containing whitespace or `=` at line 1, column 1",
        ),
        (
            "{{{x}}",
            "unclosed tag: `{{` has no matching `}}` at line 1, column 1",
        ),
    ];
    for (src, want) in cases {
        let err = Template::compile(src).expect_err(src);
        assert_eq!(err.to_string(), want, "template {src:?}");
    }
    let err = Template::compile_with("{{>p}}", &[("p", "\n\n  {{#x}}")], Limits::DEFAULT)
        .expect_err("bad partial");
    assert!(matches!(
        err,
        CompileError::Syntax {
            kind: SyntaxError::UnclosedSection { .. },
            line: 3,
            column: 3,
            ..
        }
    ));
    assert!(err.to_string().starts_with("in partial `p`: "), "{err}");
}

#[test]
fn template_size_limit() {
    let limits = Limits {
        max_template_bytes: 10,
        ..Limits::DEFAULT
    };
    let err = Template::compile_with("01234567890", no_partials(), limits).expect_err("too large");
    assert_eq!(
        err.to_string(),
        "template is 11 bytes, over the limit of 10 bytes"
    );
}

#[test]
fn nesting_limit_at_compile_time() {
    let depth = 100;
    let src = "{{#a}}".repeat(depth) + &"{{/a}}".repeat(depth);
    let err = Template::compile(&src).expect_err("too deep");
    assert!(
        matches!(
            err,
            CompileError::TooDeep {
                limit: 64,
                line: 1,
                column: 385,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(Template::compile(&("{{#a}}".repeat(64) + &"{{/a}}".repeat(64))).is_ok());
}

#[test]
fn recursive_partial_stops_with_an_error() {
    let t = Template::compile_with("{{>loop}}", &[("loop", "x{{>loop}}")], Limits::DEFAULT)
        .expect("compiles");
    let err = t.render(&json!({})).expect_err("endless recursion");
    assert_eq!(err, RenderError::PartialTooDeep { limit: 32 });
    // Recursion bounded by data is fine, with indentation growing at each level.
    let t = Template::compile_with(
        "{{>node}}",
        &[("node", "{{name}}\n{{#kids}}\n  {{>node}}\n{{/kids}}\n")],
        Limits::DEFAULT,
    )
    .expect("compiles");
    let data = json!({"name": "a", "kids": [{"name": "b", "kids": [{"name": "c", "kids": []}]}]});
    assert_eq!(t.render(&data).expect("renders"), "a\n  b\n    c\n");
}

#[test]
fn output_limit() {
    let limits = Limits {
        max_output_bytes: 100,
        ..Limits::DEFAULT
    };
    let t =
        Template::compile_with("{{#l}}0123456789{{/l}}", no_partials(), limits).expect("compiles");
    let ten = json!({"l": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]});
    assert_eq!(t.render(&ten).expect("100 bytes fit").len(), 100);
    let eleven = json!({"l": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]});
    assert_eq!(
        t.render(&eleven),
        Err(RenderError::OutputTooLarge { limit: 100 })
    );
    assert_eq!(
        RenderError::OutputTooLarge { limit: 100 }.to_string(),
        "rendered output exceeds the limit of 100 bytes"
    );
}

#[test]
fn step_limit_stops_quadratic_blowups_that_write_nothing() {
    let list: Vec<u32> = (0..1000).collect();
    let data = json!({ "l": list });
    // 1000^3 iterations writing nothing: stopped by the step budget, quickly.
    let t = Template::compile("{{#l}}{{#l}}{{#l}}{{/l}}{{/l}}{{/l}}").expect("compiles");
    let start = std::time::Instant::now();
    assert_eq!(
        t.render(&data),
        Err(RenderError::TooManySteps { limit: 10_000_000 })
    );
    assert!(start.elapsed().as_secs() < 10);
}

#[test]
fn deep_data_and_deep_context_stacks_do_not_overflow() {
    // 200 nested objects: serde_json's own recursion limit is 128, so build it by hand.
    let mut v = json!("leaf");
    for _ in 0..200 {
        v = json!({ "a": v });
    }
    let path = vec!["a"; 200].join(".");
    let t = Template::compile(&format!("{{{{{path}}}}}")).expect("compiles");
    assert_eq!(t.render(Scope::value(&v)).expect("renders"), "leaf");
    // Sections 64 deep, each pushing a context: stacks spill to the heap, no recursion.
    let src = "{{#a}}".repeat(64) + "{{.}}" + &"{{/a}}".repeat(64);
    let t = Template::compile(&src).expect("compiles");
    let out = t.render(Scope::value(&v)).expect("renders");
    assert_eq!(out, "[object Object]");
    // Drop the deep value without recursing too deeply is serde_json's business; it is 200 deep.
}
