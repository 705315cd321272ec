//! The cold start baseline: the smallest `lambda_http` function (same runtime, features and allocator as the
//! project's functions), answering every request with 200 "hello".

use lambda_http::{Body, Error, Request, Response, service_fn};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> Result<(), Error> {
    particle_lambda::logging::init();
    lambda_http::run(service_fn(|_request: Request| async {
        Ok::<_, std::convert::Infallible>(Response::new(Body::from("hello")))
    }))
    .await
}
