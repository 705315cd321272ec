//! Public list prices used by the cost table: AWS us-east-1 (N. Virginia) on-demand, first usage tier, x86 and
//! arm64 as noted; read from the AWS pricing pages for Lambda, API Gateway, DynamoDB and IoT Core, and Particle's
//! billing documentation, as of 2026-11-29. Change them here when the pages change; the README names the date.

/// One price, with where it comes from.
#[derive(Debug, Clone, Copy)]
pub struct Price {
    pub usd: f64,
    pub per: &'static str,
    pub source: &'static str,
}

/// Lambda request charge, per request.
pub const LAMBDA_REQUEST: Price = Price {
    usd: 0.20 / 1e6,
    per: "request",
    source: "aws.amazon.com/lambda/pricing ($0.20 per 1M requests)",
};
/// Lambda duration on arm64 (Graviton), per GB-second, first tier. Lambda bills in 1 ms steps, and since
/// 2025-08-01 the INIT phase of on-demand functions too.
pub const LAMBDA_GB_SECOND_ARM64: Price = Price {
    usd: 0.000_013_333_4,
    per: "GB-second",
    source: "aws.amazon.com/lambda/pricing (arm64, first 7.5 billion GB-s/month)",
};
/// HTTP API request (up to 512 KB each), first 300 million a month.
pub const HTTP_API_REQUEST: Price = Price {
    usd: 1.00 / 1e6,
    per: "request",
    source: "aws.amazon.com/api-gateway/pricing (HTTP APIs, $1.00 per 1M)",
};
/// DynamoDB on-demand write request unit (1 KB).
pub const DYNAMODB_WRITE_UNIT: Price = Price {
    usd: 0.625 / 1e6,
    per: "write request unit",
    source: "aws.amazon.com/dynamodb/pricing/on-demand ($0.625 per 1M WRU since 2024-11-01)",
};
/// DynamoDB on-demand read request unit (4 KB strongly consistent).
pub const DYNAMODB_READ_UNIT: Price = Price {
    usd: 0.125 / 1e6,
    per: "read request unit",
    source: "aws.amazon.com/dynamodb/pricing/on-demand ($0.125 per 1M RRU)",
};
/// DynamoDB standard table storage, per GB-month (the first 25 GB are free).
pub const DYNAMODB_STORAGE_GB_MONTH: Price = Price {
    usd: 0.25,
    per: "GB-month",
    source: "aws.amazon.com/dynamodb/pricing/on-demand (Standard table class)",
};
/// AWS IoT Core messaging, per message of up to 5 KB, first billion a month.
pub const IOT_CORE_MESSAGE: Price = Price {
    usd: 1.00 / 1e6,
    per: "message",
    source: "aws.amazon.com/iot-core/pricing ($1.00 per 1M messages)",
};
/// AWS IoT Core rules engine: a rule triggered plus one action, per message.
pub const IOT_CORE_RULE_AND_ACTION: Price = Price {
    usd: (0.15 + 0.15) / 1e6,
    per: "rule + action",
    source: "aws.amazon.com/iot-core/pricing ($0.15 per 1M rules triggered, $0.15 per 1M actions)",
};
/// Particle Basic plan: one block ($299 a month) covers 720,000 Data Operations and 100 devices. Every device
/// publish is a Data Operation whichever backend receives it; webhooks and SSE themselves are not.
pub const PARTICLE_DATA_OPERATION: Price = Price {
    usd: 299.0 / 720_000.0,
    per: "Data Operation",
    source: "docs.particle.io/getting-started/billing/data-operations (720K per block), particle.io/pricing (Basic, $299/block)",
};

/// Minutes in an average month (365.25 days / 12), for per-month figures.
pub const MINUTES_PER_MONTH: f64 = 365.25 / 12.0 * 24.0 * 60.0;
