//! The repositories on both store backends: reply lookup order and listing, pending commands' order, expiry and
//! claims, the delivery log's order.

use std::sync::Arc;

use particle_cloud::{Delivery, FunctionCall, Outcome, PushKind};
use particle_commands::{Deliveries, PendingCommands, PendingState, Replies, Scope};
use particle_store::ItemStore;

const DEV: &str = "0123456789abcdef01234567";

particle_store::both_backends!(
    lookup_prefers_device_then_product_then_default,
    pending_commands_keep_order_expire_and_claim_once,
    deliveries_newest_first,
);

async fn lookup_prefers_device_then_product_then_default(store: Arc<dyn ItemStore>) {
    let replies = Replies::new(store);
    assert!(replies.lookup(DEV, Some(1), "t").await.unwrap().is_none());
    replies.put(Scope::Default, "t", "d").await.unwrap();
    assert_eq!(
        replies
            .lookup(DEV, Some(1), "t")
            .await
            .unwrap()
            .unwrap()
            .template,
        "d"
    );
    replies.put(Scope::Product(1), "t", "p").await.unwrap();
    assert_eq!(
        replies
            .lookup(DEV, Some(1), "t")
            .await
            .unwrap()
            .unwrap()
            .template,
        "p"
    );
    assert_eq!(
        replies
            .lookup(DEV, None, "t")
            .await
            .unwrap()
            .unwrap()
            .template,
        "d"
    );
    replies
        .put(Scope::Device(DEV.into()), "t", "v")
        .await
        .unwrap();
    assert_eq!(
        replies
            .lookup(DEV, Some(1), "t")
            .await
            .unwrap()
            .unwrap()
            .template,
        "v"
    );
    assert!(replies.put(Scope::Default, "", "x").await.is_err());
    assert!(replies.put(Scope::Default, "t", "{{/x}}").await.is_err());
    let listed: Vec<String> = replies
        .list()
        .await
        .unwrap()
        .iter()
        .map(|r| format!("{}#{}", r.scope, r.topic))
        .collect();
    assert_eq!(
        listed,
        vec![
            "default#t",
            format!("device:{DEV}#t").as_str(),
            "product:1#t"
        ]
    );
    assert!(replies.delete(&Scope::Product(1), "t").await.unwrap());
    assert_eq!(
        replies
            .lookup(DEV, Some(1), "t")
            .await
            .unwrap()
            .unwrap()
            .template,
        "v"
    );
    assert_eq!(replies.list().await.unwrap().len(), 2);
}

fn call(name: &str) -> FunctionCall {
    FunctionCall {
        coreid: DEV.into(),
        name: name.into(),
        arg: String::new(),
        product: None,
    }
}

async fn pending_commands_keep_order_expire_and_claim_once(store: Arc<dyn ItemStore>) {
    let expired = PendingCommands::new(store.clone(), 0);
    expired.enqueue(&call("gone"), "c0").await.unwrap();
    let pending = PendingCommands::new(store, 24);
    let a = pending.enqueue(&call("a"), "c1").await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(3)).await;
    pending.enqueue(&call("b"), "c2").await.unwrap();
    let listed = pending.list(DEV).await.unwrap();
    let names: Vec<&str> = listed.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, vec!["a", "b"], "in order, the expired one left out");
    assert_eq!(listed[0], a);
    let claimed = pending
        .transition(&listed[0], PendingState::Claimed, None)
        .await
        .unwrap();
    assert!(claimed.is_some());
    assert!(
        pending
            .transition(&listed[0], PendingState::Claimed, None)
            .await
            .unwrap()
            .is_none(),
        "a second claim of the same version loses"
    );
    let now = particle_events::clock::now_unix();
    let claimed = claimed.unwrap();
    assert!(!PendingCommands::claimable(&claimed, now));
    assert!(
        PendingCommands::claimable(&claimed, now + 61),
        "a stale claim may be taken over"
    );
}

fn delivery(at_ms: i64, target: &str) -> Delivery {
    Delivery {
        kind: PushKind::Function,
        coreid: Some(DEV.into()),
        product: None,
        target: target.into(),
        payload: String::new(),
        at_ms,
        attempts: 1,
        outcome: Outcome::Delivered,
        status: Some(200),
        body: None,
        return_value: Some(1),
        duration_ms: 5,
    }
}

async fn deliveries_newest_first(store: Arc<dyn ItemStore>) {
    let log = Deliveries::new(store);
    let now = particle_events::clock::now_unix() * 1000;
    log.record("c1", &delivery(now - 2000, "first"))
        .await
        .unwrap();
    log.record("c2", &delivery(now - 1000, "second"))
        .await
        .unwrap();
    let listed = log.by_device(DEV, 10).await.unwrap();
    let targets: Vec<&str> = listed.iter().map(|e| e.delivery.target.as_str()).collect();
    assert_eq!(targets, vec!["second", "first"]);
    assert_eq!(listed[1].source_id, "c1");
    assert_eq!(log.by_device(DEV, 1).await.unwrap().len(), 1);
    // Older than the retention: gone from reads at once.
    log.record("c0", &delivery(now - 31 * 86_400_000, "old"))
        .await
        .unwrap();
    assert_eq!(log.by_device(DEV, 10).await.unwrap().len(), 2);
}
