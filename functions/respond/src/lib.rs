//! `respond`: answers and commands for devices, one Lambda behind the HTTP API.
//!
//! Routes are told apart by path (after removing the `/lambda-url/respond` prefix `cargo lambda watch` adds):
//! - `POST /respond` (locally also `/`): the Particle webhook for request events, authenticated with the
//!   webhook secret; answers the configured reply as `text/plain`.
//! - `/replies[/...]`, `/devices/...`, `/events`: the admin API, authenticated with the admin secret only.
//!
//! Module map:
//! - [`config`]: settings from the environment (`STORE`, secrets, Particle API, limits, `REPLY_MAX_BYTES`,
//!   `PENDING_TTL_HOURS`).
//! - [`route`]: the path to a [`route::Route`] (prefix stripped, segments percent-decoded).
//! - [`reply`]: the webhook reply: store the request event, look the reply up, render it within the budget.
//! - [`admin`]: the admin routes.
//! - [`handler`]: [`Respond`], built once, answering every request.

pub mod admin;
pub mod config;
pub mod handler;
pub mod reply;
pub mod route;

pub use config::Config;
pub use handler::Respond;
