//! Compiles tokens into one flat instruction list: the main template first, then every partial,
//! each ending in `Return`. Sections become forward/backward jumps, names are split and their
//! array indexes and predefined-variable slots resolved once, and literal text lives in one arena.
//! Rendering then never parses anything.

use std::collections::HashMap;
use std::sync::atomic::AtomicUsize;

use crate::error::{CompileError, SyntaxError};
use crate::limits::Limits;
use crate::parse::{Tok, line_col, tokenize};
use crate::value::Part;
use crate::vars::predefined_slot;

/// Marks a partial reference whose partial does not exist (it renders nothing).
pub(crate) const NO_TARGET: u32 = u32::MAX;

/// One instruction: literal text to write first, then an action. Carrying the text in the
/// instruction (instead of separate text instructions) halves the dispatches per render, and the
/// indirect jump of the dispatch is what an interpreter pays most for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Op {
    /// Written before `kind` runs. Its own `str` rather than a range of the arena: a range has
    /// to be bounds- and char-boundary-checked on every render, a `Box<str>` is ready to copy.
    pub text: Box<str>,
    pub kind: Kind,
}

/// The action of an instruction. All fields are indexes into the template's tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Write a value; `escape` is false for `{{{x}}}` and `{{&x}}`.
    Var {
        name: u32,
        escape: bool,
    },
    /// `{{#name}}`: `end` is the index of the matching `SectionEnd`.
    Section {
        name: u32,
        end: u32,
    },
    /// Loops back to `start + 1` while the section's list has elements left.
    SectionEnd {
        start: u32,
    },
    /// `{{^name}}`: jumps to `end` (just past the body) unless the value is falsey or `[]`.
    Inverted {
        name: u32,
        end: u32,
    },
    /// Nothing: carries the text that ends an inverted section's body.
    Mark,
    /// `{{>name}}`: calls the partial at op `target`; `indent` is a text range.
    Partial {
        target: u32,
        indent: (u32, u32),
    },
    /// `{{>*name}}`: the partial's name is the value of `name`.
    DynPartial {
        name: u32,
        indent: (u32, u32),
    },
    /// Start of a partial's source line: writes the current indentation.
    Indent,
    Return,
}

/// A variable name, split at dots.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Name {
    /// Empty for the implicit iterator `.`.
    pub parts: Box<[Part]>,
    /// Predefined-variable slot of the first segment, if it names one.
    pub slot: Option<u8>,
}

impl Name {
    fn parse(s: &str) -> Self {
        if s == "." {
            return Name {
                parts: Box::new([]),
                slot: None,
            };
        }
        let parts: Box<[Part]> = s.split('.').map(Part::new).collect();
        let slot = parts.first().and_then(|p| predefined_slot(&p.key));
        Name { parts, slot }
    }
}

/// A compiled template: compile once, render many times, share between threads.
#[derive(Debug)]
pub struct Template {
    pub(crate) ops: Vec<Op>,
    pub(crate) text: String,
    pub(crate) names: Vec<Name>,
    /// Entry op of each partial, for `{{>*dynamic}}` names.
    pub(crate) partials: HashMap<Box<str>, u32>,
    pub(crate) limits: Limits,
    /// `Some(name)` when the main template is exactly one interpolation tag (typed mode).
    pub(crate) single_var: Option<u32>,
    /// Static text size: the first capacity guess for the output buffer.
    pub(crate) static_len: usize,
    /// Length of the last output, a better capacity guess for the next render.
    pub(crate) last_len: AtomicUsize,
}

impl Clone for Template {
    fn clone(&self) -> Self {
        Template {
            ops: self.ops.clone(),
            text: self.text.clone(),
            names: self.names.clone(),
            partials: self.partials.clone(),
            limits: self.limits,
            single_var: self.single_var,
            static_len: self.static_len,
            last_len: AtomicUsize::new(self.static_len),
        }
    }
}

impl Template {
    /// Compiles a template with the default limits and no partials.
    pub fn compile(source: &str) -> Result<Template, CompileError> {
        Self::compile_with(source, &[] as &[(&str, &str)], Limits::DEFAULT)
    }

    /// Compiles a template and the partials it may include (`{{>name}}`). Every partial is
    /// compiled up front; a name with no partial renders nothing, as the spec requires.
    pub fn compile_with<N: AsRef<str>, S: AsRef<str>>(
        source: &str,
        partials: &[(N, S)],
        limits: Limits,
    ) -> Result<Template, CompileError> {
        let mut c = Compiler {
            ops: Vec::new(),
            text: String::new(),
            names: Vec::new(),
            name_ids: HashMap::new(),
            partial_refs: Vec::new(),
            limits,
            pending: (0, 0),
        };
        c.program(source, None)?;
        let main_end = c.ops.len();
        let mut entries: HashMap<Box<str>, u32> = HashMap::new();
        for (name, src) in partials {
            let entry = op_index(c.ops.len());
            c.program(src.as_ref(), Some(name.as_ref()))?;
            entries.entry(name.as_ref().into()).or_insert(entry);
        }
        for (op, name) in std::mem::take(&mut c.partial_refs) {
            if let Kind::Partial { target, .. } = &mut c.ops[op].kind {
                *target = entries.get(name.as_str()).copied().unwrap_or(NO_TARGET);
            }
        }
        let single_var = match &c.ops[..main_end] {
            [
                Op {
                    text: var_text,
                    kind: Kind::Var { name, .. },
                },
                Op {
                    text: end_text,
                    kind: Kind::Return,
                },
            ] if var_text.is_empty() && end_text.is_empty() => Some(*name),
            _ => None,
        };
        let static_len = c.ops[..main_end]
            .iter()
            .map(|op| {
                op.text.len()
                    + match op.kind {
                        Kind::Var { .. } => 8,
                        _ => 0,
                    }
            })
            .sum();
        Ok(Template {
            ops: c.ops,
            text: c.text,
            names: c.names,
            partials: entries,
            limits,
            single_var,
            static_len,
            last_len: AtomicUsize::new(static_len),
        })
    }

    /// The limits this template was compiled with (also applied when rendering).
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Whether the template is exactly one interpolation tag such as `{{{temp}}}` (what typed
    /// mode keeps as a JSON value).
    pub fn is_single_tag(&self) -> bool {
        self.single_var.is_some()
    }
}

fn op_index(i: usize) -> u32 {
    // Template size is limited far below 4 GiB, so op and text indexes always fit in u32.
    u32::try_from(i).unwrap_or(u32::MAX)
}

struct Compiler {
    ops: Vec<Op>,
    text: String,
    names: Vec<Name>,
    name_ids: HashMap<String, u32>,
    /// Static partial calls to patch once every partial has an entry point.
    partial_refs: Vec<(usize, String)>,
    limits: Limits,
    /// Text seen since the last instruction: the next instruction writes it first.
    pending: (u32, u32),
}

impl Compiler {
    fn program(&mut self, src: &str, partial: Option<&str>) -> Result<(), CompileError> {
        let partial_name = || partial.map(str::to_owned);
        if src.len() > self.limits.max_template_bytes {
            return Err(CompileError::TooLarge {
                size: src.len(),
                limit: self.limits.max_template_bytes,
                partial: partial_name(),
            });
        }
        let syntax = |kind, at| {
            let (line, column) = line_col(src, at);
            CompileError::Syntax {
                kind,
                line,
                column,
                partial: partial_name(),
            }
        };
        let toks = tokenize(src).map_err(|(kind, at)| syntax(kind, at))?;
        // Open sections: (op index, name, offset of the tag).
        let mut open: Vec<(usize, &str, usize)> = Vec::new();
        for tok in toks {
            match tok {
                Tok::Removed => {}
                Tok::LineStart => {
                    // Only partials are ever indented.
                    if partial.is_some() {
                        self.emit(Kind::Indent);
                    }
                }
                Tok::Text(s) => self.push_text(s),
                Tok::Var { name, escape } => {
                    let name = self.name(name);
                    self.emit(Kind::Var { name, escape });
                }
                Tok::Open { name, inverted, at } => {
                    if open.len() >= self.limits.max_nesting {
                        let (line, column) = line_col(src, at);
                        return Err(CompileError::TooDeep {
                            limit: self.limits.max_nesting,
                            line,
                            column,
                            partial: partial_name(),
                        });
                    }
                    open.push((self.ops.len(), name, at));
                    let id = self.name(name);
                    self.emit(if inverted {
                        Kind::Inverted { name: id, end: 0 }
                    } else {
                        Kind::Section { name: id, end: 0 }
                    });
                }
                Tok::Close { name, at } => {
                    let Some((start, open_name, _)) = open.pop() else {
                        return Err(syntax(
                            SyntaxError::UnopenedSection { name: name.into() },
                            at,
                        ));
                    };
                    if open_name != name {
                        return Err(syntax(
                            SyntaxError::MismatchedSection {
                                open: open_name.into(),
                                close: name.into(),
                            },
                            at,
                        ));
                    }
                    let inverted = matches!(self.ops[start].kind, Kind::Inverted { .. });
                    if inverted {
                        // The body's trailing text needs an instruction inside the body.
                        if self.pending.1 > 0 {
                            self.emit(Kind::Mark);
                        }
                    } else {
                        self.emit(Kind::SectionEnd {
                            start: op_index(start),
                        });
                    }
                    let end = op_index(if inverted {
                        self.ops.len()
                    } else {
                        self.ops.len() - 1
                    });
                    if let Kind::Section { end: e, .. } | Kind::Inverted { end: e, .. } =
                        &mut self.ops[start].kind
                    {
                        *e = end;
                    }
                }
                Tok::Partial {
                    name,
                    dynamic,
                    indent,
                } => {
                    let indent = self.intern_text(indent);
                    if dynamic {
                        let name = self.name(name);
                        self.emit(Kind::DynPartial { name, indent });
                    } else {
                        self.partial_refs.push((self.ops.len(), name.to_owned()));
                        self.emit(Kind::Partial {
                            target: NO_TARGET,
                            indent,
                        });
                    }
                }
            }
        }
        if let Some((_, name, at)) = open.pop() {
            return Err(syntax(
                SyntaxError::UnclosedSection { name: name.into() },
                at,
            ));
        }
        self.emit(Kind::Return);
        Ok(())
    }

    fn emit(&mut self, kind: Kind) {
        let (start, len) = std::mem::take(&mut self.pending);
        let (start, len) = (start as usize, len as usize);
        let text = self.text.get(start..start + len).unwrap_or_default().into();
        self.ops.push(Op { text, kind });
    }

    fn push_text(&mut self, s: &str) {
        if s.is_empty() {
            return;
        }
        if self.pending.1 == 0 {
            self.pending.0 = op_index(self.text.len());
        }
        // Pending text is always the arena's tail, so appending keeps it contiguous.
        self.text.push_str(s);
        self.pending.1 += op_index(s.len());
    }

    fn intern_text(&mut self, s: &str) -> (u32, u32) {
        // Indentation goes into the arena too; move pending text after it to keep it contiguous.
        let pending = self.pending;
        let start = op_index(self.text.len());
        self.text.push_str(s);
        let indent = (start, op_index(s.len()));
        if pending.1 > 0 {
            let (from, len) = (pending.0 as usize, pending.1 as usize);
            let copy = self.text[from..from + len].to_owned();
            self.pending = (op_index(self.text.len()), pending.1);
            self.text.push_str(&copy);
        }
        indent
    }

    fn name(&mut self, s: &str) -> u32 {
        if let Some(&id) = self.name_ids.get(s) {
            return id;
        }
        let id = op_index(self.names.len());
        self.names.push(Name::parse(s));
        self.name_ids.insert(s.to_owned(), id);
        id
    }
}
