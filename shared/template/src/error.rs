//! Error types. Compile errors carry the 1-based line and column (in characters) of the tag at
//! fault; render errors name the limit that stopped the render.

use thiserror::Error;

/// What is wrong with a template's syntax.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SyntaxError {
    #[error("unclosed tag: `{open}` has no matching `{close}`")]
    UnclosedTag { open: String, close: String },
    #[error("section `{name}` is opened but never closed")]
    UnclosedSection { name: String },
    #[error("closing tag `{name}` has no open section")]
    UnopenedSection { name: String },
    #[error("section `{open}` is closed by `{close}`")]
    MismatchedSection { open: String, close: String },
    #[error(
        "invalid set-delimiter tag `{tag}`: expected two delimiters separated by whitespace, \
         neither containing whitespace or `=`"
    )]
    InvalidDelimiters { tag: String },
}

/// A template could not be compiled.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CompileError {
    #[error("{}template is {size} bytes, over the limit of {limit} bytes", in_partial(.partial))]
    TooLarge {
        size: usize,
        limit: usize,
        partial: Option<String>,
    },
    #[error("{}{kind} at line {line}, column {column}", in_partial(.partial))]
    Syntax {
        kind: SyntaxError,
        line: usize,
        column: usize,
        partial: Option<String>,
    },
    #[error(
        "{}sections nested deeper than {limit} at line {line}, column {column}",
        in_partial(.partial)
    )]
    TooDeep {
        limit: usize,
        line: usize,
        column: usize,
        partial: Option<String>,
    },
}

fn in_partial(partial: &Option<String>) -> String {
    match partial {
        Some(name) => format!("in partial `{name}`: "),
        None => String::new(),
    }
}

/// A render stopped at a limit.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RenderError {
    #[error("rendered output exceeds the limit of {limit} bytes")]
    OutputTooLarge { limit: usize },
    #[error("partials nested deeper than {limit} (a partial that includes itself without end?)")]
    PartialTooDeep { limit: usize },
    #[error("render exceeded {limit} steps (sections nested over large lists?)")]
    TooManySteps { limit: u64 },
}

/// A webhook definition could not be compiled.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum WebhookError {
    #[error("invalid webhook definition: {0}")]
    Definition(String),
    #[error("unsupported requestType `{0}`: expected GET, POST, PUT or DELETE")]
    RequestType(String),
    #[error("`json`, `form` and `body` are mutually exclusive, but {0} are set")]
    ExclusiveBodies(String),
    #[error("`json` must be an object or a string")]
    JsonKind,
    #[error("`{field}`: {source}")]
    Template {
        field: String,
        #[source]
        source: CompileError,
    },
}

/// A compiled webhook could not be rendered for an event.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RequestError {
    #[error("`{field}`: {source}")]
    Render {
        field: String,
        #[source]
        source: RenderError,
    },
    #[error("`json`: the rendered template is not valid JSON ({message}); rendered: {rendered}")]
    InvalidJson { message: String, rendered: String },
}
