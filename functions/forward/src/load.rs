//! Loading a directory of definitions: every `*.json` file directly inside it, in name order. Other files (a
//! README) and subdirectories are left alone; a `.json` file that does not validate fails the whole load, naming
//! the file and the field, so a broken integration is never silently skipped.
//!
//! Where the directory is: `INTEGRATIONS_DIR`, else `integrations/` beside the running binary (the Lambda
//! bundle puts it next to `bootstrap`), else `integrations/` in the working directory (local runs from the
//! repository root). See [`default_dir`].

use std::io::Read;
use std::path::{Path, PathBuf};

use thiserror::Error;

use crate::definition::{Integration, parse};

/// Largest definition file (bytes): far above any real webhook, far below what would hurt a cold start.
pub const MAX_FILE_BYTES: u64 = 64 * 1024;
/// Most definition files in the directory.
pub const MAX_FILES: usize = 200;

#[derive(Debug, Error)]
pub enum LoadError {
    #[error("integrations directory {dir}: {message}")]
    Dir { dir: String, message: String },
    #[error("integrations directory {dir}: more than {limit} definition files")]
    TooMany { dir: String, limit: usize },
    #[error("{file}: cannot read: {message}")]
    Read { file: String, message: String },
    #[error("{file}: {size} bytes, over the limit of {limit} bytes")]
    TooLarge { file: String, size: u64, limit: u64 },
    #[error("{file}: {}{message}", field_prefix(.field))]
    Invalid {
        file: String,
        field: String,
        message: String,
    },
}

fn field_prefix(field: &str) -> String {
    if field.is_empty() {
        String::new()
    } else {
        format!("`{field}`: ")
    }
}

impl LoadError {
    /// The file at fault, when the error concerns one file.
    pub fn file(&self) -> Option<&str> {
        match self {
            LoadError::Read { file, .. }
            | LoadError::TooLarge { file, .. }
            | LoadError::Invalid { file, .. } => Some(file),
            _ => None,
        }
    }

    /// The field at fault, when known.
    pub fn field(&self) -> Option<&str> {
        match self {
            LoadError::Invalid { field, .. } if !field.is_empty() => Some(field),
            _ => None,
        }
    }
}

/// `INTEGRATIONS_DIR`, else `integrations/` beside the executable if it exists, else `./integrations`.
pub fn default_dir() -> PathBuf {
    if let Some(dir) = particle_lambda::env::var("INTEGRATIONS_DIR") {
        return PathBuf::from(dir);
    }
    if let Some(beside) = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|p| p.join("integrations")))
        .filter(|p| p.is_dir())
    {
        return beside;
    }
    PathBuf::from("integrations")
}

/// Loads and validates every definition in `dir`.
pub fn load_dir(dir: &Path) -> Result<Vec<Integration>, LoadError> {
    let dir_err = |message: String| LoadError::Dir {
        dir: dir.display().to_string(),
        message,
    };
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| dir_err(e.to_string()))? {
        let entry = entry.map_err(|e| dir_err(e.to_string()))?;
        let path = entry.path();
        let is_json = path.extension().is_some_and(|e| e == "json");
        let hidden = entry.file_name().to_string_lossy().starts_with('.');
        if !is_json || hidden || path.is_dir() {
            continue;
        }
        if files.len() == MAX_FILES {
            return Err(LoadError::TooMany {
                dir: dir.display().to_string(),
                limit: MAX_FILES,
            });
        }
        files.push(path);
    }
    files.sort();
    files.iter().map(|p| load_file(p)).collect()
}

/// Loads and validates one definition file.
pub fn load_file(path: &Path) -> Result<Integration, LoadError> {
    let file = path.display().to_string();
    let read_err = |e: std::io::Error| LoadError::Read {
        file: file.clone(),
        message: e.to_string(),
    };
    let handle = std::fs::File::open(path).map_err(read_err)?;
    // Read one byte past the limit instead of trusting metadata, which a FIFO or /proc file would not give.
    let mut text = String::new();
    handle
        .take(MAX_FILE_BYTES + 1)
        .read_to_string(&mut text)
        .map_err(read_err)?;
    if text.len() as u64 > MAX_FILE_BYTES {
        let size = std::fs::metadata(path)
            .map(|m| m.len())
            .unwrap_or(text.len() as u64);
        return Err(LoadError::TooLarge {
            file,
            size,
            limit: MAX_FILE_BYTES,
        });
    }
    let name = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    parse(&name, &text).map_err(|e| LoadError::Invalid {
        file,
        field: e.field,
        message: e.message,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loads_json_files_in_order_and_skips_nothing_invalid() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("b.json"),
            r#"{"event":"b","url":"http://h/"}"#,
        )
        .unwrap();
        std::fs::write(
            dir.path().join("a.json"),
            r#"{"event":"a","url":"http://h/"}"#,
        )
        .unwrap();
        std::fs::write(dir.path().join("README.md"), "not a definition").unwrap();
        let all = load_dir(dir.path()).unwrap();
        assert_eq!(
            all.iter().map(|i| i.name.as_str()).collect::<Vec<_>>(),
            ["a", "b"]
        );

        std::fs::write(
            dir.path().join("c.json"),
            r#"{"event":"c","url":"http://h/","auth":5}"#,
        )
        .unwrap();
        let e = load_dir(dir.path()).unwrap_err();
        assert!(e.file().unwrap().ends_with("c.json"), "{e}");
        assert_eq!(e.field(), Some("auth"));
        assert!(e.to_string().contains("c.json: `auth`: "), "{e}");
    }

    #[test]
    fn limits() {
        let dir = tempfile::tempdir().unwrap();
        let big = format!(
            r#"{{"event":"a","url":"http://h/","body":"{}"}}"#,
            "x".repeat(70_000)
        );
        std::fs::write(dir.path().join("big.json"), big).unwrap();
        assert!(matches!(
            load_dir(dir.path()),
            Err(LoadError::TooLarge { .. })
        ));
        std::fs::remove_file(dir.path().join("big.json")).unwrap();
        for i in 0..=MAX_FILES {
            std::fs::write(dir.path().join(format!("{i}.json")), "{}").unwrap();
        }
        assert!(matches!(
            load_dir(dir.path()),
            Err(LoadError::TooMany { .. })
        ));
        let missing = load_dir(&dir.path().join("nope")).unwrap_err();
        assert!(missing.to_string().contains("nope"), "{missing}");
    }
}
