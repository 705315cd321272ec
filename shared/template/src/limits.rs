//! Safety limits. Templates come from webhook definitions and data from devices; neither may be
//! able to exhaust a Lambda's stack, memory or time. Every limit fails with a clear error.

/// Bounds applied while compiling and rendering. `Limits::default()` suits webhooks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest template source accepted, in bytes (each partial is checked on its own).
    pub max_template_bytes: usize,
    /// Deepest nesting of sections inside one template or partial.
    pub max_nesting: usize,
    /// Deepest chain of partials including partials (recursive partials stop here with an error).
    pub max_partial_depth: usize,
    /// Largest rendered output, in bytes.
    pub max_output_bytes: usize,
    /// Most instructions one render may execute. Output size alone does not bound time: sections
    /// nested over the same list can loop n^k times while writing nothing.
    pub max_steps: u64,
}

impl Limits {
    /// Defaults: 128 KiB templates, 64 nested sections, 32 nested partials, 1 MiB output,
    /// 10 million steps (a few tens of milliseconds).
    pub const DEFAULT: Limits = Limits {
        max_template_bytes: 128 * 1024,
        max_nesting: 64,
        max_partial_depth: 32,
        max_output_bytes: 1024 * 1024,
        max_steps: 10_000_000,
    };
}

impl Default for Limits {
    fn default() -> Self {
        Limits::DEFAULT
    }
}
