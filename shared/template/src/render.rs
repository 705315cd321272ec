//! The renderer: a loop over the flat instruction list with explicit stacks (contexts, section
//! loops, partial calls), so template depth can never overflow the native stack. Output goes into
//! one `String` sized from the previous render; stacks live inline until they are deeper than 8.
//!
//! The loop is generic over the data model (`value::Model`): plain JSON and prepared event data
//! each get their own copy, so neither pays for the other's cases in the inner loop.

use std::sync::atomic::Ordering;

use serde_json::Value;

use crate::compile::{Kind, NO_TARGET, Name, Template};
use crate::error::RenderError;
use crate::escape::Escaping;
use crate::plain::Plain;
use crate::value::{Esc, Model, SectionKind, Val};
use crate::vars::{Root, Scope};

impl Template {
    /// Renders with Mustache's HTML escaping.
    pub fn render<'a>(&self, scope: impl Into<Scope<'a>>) -> Result<String, RenderError> {
        self.render_with(scope.into(), Escaping::Html)
    }

    /// Renders with the given escaping into a new buffer.
    pub fn render_with(&self, scope: Scope<'_>, escaping: Escaping) -> Result<String, RenderError> {
        let guess = self.last_len.load(Ordering::Relaxed).max(self.static_len);
        let mut out = String::with_capacity(guess + guess / 8);
        self.render_into(scope, escaping, &mut out)?;
        self.last_len.store(out.len(), Ordering::Relaxed);
        Ok(out)
    }

    /// Appends the rendering to `out` (reuse one buffer across renders to avoid allocating).
    /// The output limit applies to what this call appends.
    pub fn render_into(
        &self,
        scope: Scope<'_>,
        escaping: Escaping,
        out: &mut String,
    ) -> Result<(), RenderError> {
        match scope.root {
            Root::Value(v) => Vm::new(self, Plain(v), escaping).run(out),
            Root::Event(e) => Vm::new(self, e, escaping).run(out),
        }
    }

    /// Typed mode: when the template is exactly one tag (`{{{temp}}}`), the variable's JSON value
    /// itself (number, boolean, object, ...; a missing variable is `null`). `None` otherwise.
    pub fn render_typed(&self, scope: Scope<'_>) -> Option<Value> {
        let name = self.names.get(self.single_var? as usize)?;
        Some(match scope.root {
            Root::Value(v) => typed(Plain(v), name),
            Root::Event(e) => typed(e, name),
        })
    }
}

fn typed<'a, M: Model<'a>>(m: M, name: &Name) -> Value {
    let mut ctx = Stack::new();
    ctx.push(m.root());
    resolve(&ctx, m, name).to_json(m)
}

#[derive(Clone, Copy)]
struct Loop<N> {
    /// The list a section iterates over; `None` when it renders its body once.
    list: Option<N>,
    next: usize,
    /// Whether the section pushed a context (everything but `true` does).
    pushed: bool,
}

impl<N> Default for Loop<N> {
    fn default() -> Self {
        Loop {
            list: None,
            next: 0,
            pushed: false,
        }
    }
}

struct Call {
    ret: usize,
    indent_len: usize,
}

struct Vm<'t, 'a, M: Model<'a>> {
    t: &'t Template,
    m: M,
    escaping: Escaping,
    ctx: Stack<Val<'a, M::Node>>,
    loops: Stack<Loop<M::Node>>,
    calls: Vec<Call>,
    /// Indentation of the current partial (the concatenation of every enclosing partial's).
    indent: String,
}

impl<'t, 'a, M: Model<'a>> Vm<'t, 'a, M> {
    fn new(t: &'t Template, m: M, escaping: Escaping) -> Self {
        Vm {
            t,
            m,
            escaping,
            ctx: Stack::new(),
            loops: Stack::new(),
            calls: Vec::new(),
            indent: String::new(),
        }
    }

    fn run(mut self, out: &mut String) -> Result<(), RenderError> {
        let t = self.t;
        let m = self.m;
        let limits = &t.limits;
        let base = out.len();
        let max_len = base.saturating_add(limits.max_output_bytes);
        self.ctx.push(m.root());
        // What `{{x}}` and `{{{x}}}` write with, decided once rather than per tag.
        let (esc_escaped, esc_raw) = match self.escaping {
            Escaping::Html => (Esc::Html, Esc::Raw),
            Escaping::JsonString => (Esc::Json, Esc::Json),
        };
        let mut pc = 0usize;
        let mut steps = 0u64;
        while let Some(op) = t.ops.get(pc) {
            steps += 1;
            if steps > limits.max_steps {
                return Err(RenderError::TooManySteps {
                    limit: limits.max_steps,
                });
            }
            pc += 1;
            if !op.text.is_empty() {
                out.push_str(&op.text);
            }
            match op.kind {
                Kind::Var { name, escape } => {
                    let esc = if escape { esc_escaped } else { esc_raw };
                    self.lookup(name).write(m, out, esc);
                }
                Kind::Section { name, end } => match self.lookup(name).section(m) {
                    SectionKind::Skip => pc = end as usize + 1,
                    SectionKind::List(list) => {
                        if let Some(first) = m.item(list, 0) {
                            self.ctx.push(Val::Data(first));
                        }
                        self.loops.push(Loop {
                            list: Some(list),
                            next: 1,
                            pushed: true,
                        });
                    }
                    SectionKind::Push(v) => {
                        self.ctx.push(v);
                        self.loops.push(Loop {
                            list: None,
                            next: 0,
                            pushed: true,
                        });
                    }
                    SectionKind::Once => self.loops.push(Loop::default()),
                },
                Kind::SectionEnd { start } => {
                    let Some(l) = self.loops.top_mut() else {
                        continue;
                    };
                    if let Some(item) = l.list.and_then(|list| m.item(list, l.next)) {
                        l.next += 1;
                        if let Some(top) = self.ctx.top_mut() {
                            *top = Val::Data(item);
                        }
                        pc = start as usize + 1;
                    } else if let Some(l) = self.loops.pop()
                        && l.pushed
                    {
                        self.ctx.pop();
                    }
                }
                Kind::Inverted { name, end } => {
                    if !self.lookup(name).inverted(m) {
                        pc = end as usize;
                    }
                }
                Kind::Partial { target, indent } => {
                    if target != NO_TARGET {
                        self.call(&mut pc, target as usize, indent)?;
                    }
                }
                Kind::DynPartial { name, indent } => self.dyn_partial(&mut pc, name, indent)?,
                Kind::Mark => {}
                Kind::Indent => out.push_str(&self.indent),
                Kind::Return => {
                    if self.calls.is_empty() {
                        break;
                    }
                    self.ret(&mut pc);
                }
            }
            if out.len() > max_len {
                return Err(RenderError::OutputTooLarge {
                    limit: limits.max_output_bytes,
                });
            }
        }
        Ok(())
    }

    // Partials are rare: out of the loop, so the loop's hot cases keep their registers.
    #[cold]
    #[inline(never)]
    fn dyn_partial(
        &mut self,
        pc: &mut usize,
        name: u32,
        indent: (u32, u32),
    ) -> Result<(), RenderError> {
        let mut partial = String::new();
        self.lookup(name).write(self.m, &mut partial, Esc::Raw);
        if let Some(&target) = self.t.partials.get(partial.as_str()) {
            self.call(pc, target as usize, indent)?;
        }
        Ok(())
    }

    #[cold]
    #[inline(never)]
    fn ret(&mut self, pc: &mut usize) {
        if let Some(c) = self.calls.pop() {
            *pc = c.ret;
            self.indent.truncate(c.indent_len);
        }
    }

    #[cold]
    #[inline(never)]
    fn call(
        &mut self,
        pc: &mut usize,
        target: usize,
        indent: (u32, u32),
    ) -> Result<(), RenderError> {
        let limit = self.t.limits.max_partial_depth;
        if self.calls.len() >= limit {
            return Err(RenderError::PartialTooDeep { limit });
        }
        self.calls.push(Call {
            ret: *pc,
            indent_len: self.indent.len(),
        });
        let (start, len) = (indent.0 as usize, indent.1 as usize);
        self.indent
            .push_str(self.t.text.get(start..start + len).unwrap_or_default());
        *pc = target;
        Ok(())
    }

    #[inline(always)]
    fn lookup(&self, name: u32) -> Val<'a, M::Node> {
        match self.t.names.get(name as usize) {
            Some(name) => resolve(&self.ctx, self.m, name),
            None => Val::Missing,
        }
    }
}

/// Mustache name resolution: the first segment is looked up from the innermost context outwards
/// (the first context that has it wins); the remaining segments are read from that value only,
/// so a broken chain is empty rather than falling back to an outer context.
#[inline(always)]
fn resolve<'a, M: Model<'a>>(ctx: &Stack<Val<'a, M::Node>>, m: M, name: &Name) -> Val<'a, M::Node> {
    let Some((first, rest)) = name.parts.split_first() else {
        return ctx.top().unwrap_or_default();
    };
    // An explicit loop rather than `find_map`: it keeps the lookup inlined, with values in
    // registers (measured: the closure version returned through memory and stalled).
    let mut v = Val::Missing;
    let mut i = ctx.len;
    while i > 0 {
        i -= 1;
        let frame = if i < INLINE {
            ctx.inline[i]
        } else {
            match ctx.spill.get(i - INLINE) {
                Some(f) => *f,
                None => continue,
            }
        };
        let hit = match frame {
            Val::Root => m.root_get(first, name.slot),
            f => f.get(m, first, false),
        };
        if let Some(hit) = hit {
            v = hit;
            break;
        }
    }
    for part in rest {
        match v.get(m, part, true) {
            Some(next) => v = next,
            None => return Val::Missing,
        }
    }
    v
}

/// A stack that keeps its first few entries inline, so typical renders allocate nothing for it.
const INLINE: usize = 4;

struct Stack<T: Copy + Default> {
    inline: [T; INLINE],
    len: usize,
    spill: Vec<T>,
}

impl<T: Copy + Default> Stack<T> {
    fn new() -> Self {
        Stack {
            inline: [T::default(); INLINE],
            len: 0,
            spill: Vec::new(),
        }
    }

    fn push(&mut self, v: T) {
        if self.len < INLINE {
            self.inline[self.len] = v;
        } else {
            self.spill.push(v);
        }
        self.len += 1;
    }

    fn pop(&mut self) -> Option<T> {
        if self.len == 0 {
            return None;
        }
        self.len -= 1;
        if self.len >= INLINE {
            self.spill.pop()
        } else {
            Some(self.inline[self.len])
        }
    }

    fn top(&self) -> Option<T> {
        let i = self.len.checked_sub(1)?;
        if i >= INLINE {
            self.spill.last().copied()
        } else {
            Some(self.inline[i])
        }
    }

    fn top_mut(&mut self) -> Option<&mut T> {
        let i = self.len.checked_sub(1)?;
        if i >= INLINE {
            self.spill.last_mut()
        } else {
            Some(&mut self.inline[i])
        }
    }
}
