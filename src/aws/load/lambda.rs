//! Lambda, for the network path of an execution role: `GetFunctionConfiguration` for a
//! function named (or a session named after its function), `ListFunctions` pages within a
//! fixed budget to find the functions a role runs.

use aws_sdk_lambda::types::FunctionConfiguration;

use crate::aws::gateway::Gateway;
use crate::inventory::{Account, Field, KeyKind, LambdaFunction, Listing, Unreadable, VpcConfig};

/// The most `ListFunctions` pages (50 functions each) one search reads.
pub const SEARCH_PAGES: u32 = 10;

/// What Lambda answers for a function that does not exist.
const NOT_FOUND: &str = "ResourceNotFoundException";

/// One function (name or ARN) with its role and `VpcConfig`, unless loaded.
pub(super) async fn ensure_function(gw: &Gateway, account: &mut Account, reference: &str) {
    if account.function_lookup(reference).is_known() {
        return;
    }
    match gw.get_function_configuration(reference).await {
        Ok(out) => {
            let found = function_from(
                out.function_arn(),
                out.function_name(),
                out.role(),
                out.package_type().map(|p| p.as_str()),
                out.vpc_config()
                    .map(|v| (v.vpc_id(), v.subnet_ids(), v.security_group_ids())),
            );
            match found {
                Some(function) => {
                    account.functions.upsert(function);
                }
                None => mark_absent(account, reference),
            }
        }
        Err(reason) if reason.code == NOT_FOUND => mark_absent(account, reference),
        Err(reason) => {
            if *account.functions.listing() == Listing::NotLoaded {
                account.functions.set_listing(Listing::Unreadable(reason));
            }
        }
    }
}

/// The account's functions, at most [`SEARCH_PAGES`] pages.
pub(super) async fn find_functions(gw: &Gateway, account: &mut Account) {
    if *account.functions.listing() != Listing::NotLoaded {
        return;
    }
    let mut marker = None;
    for _ in 0..SEARCH_PAGES {
        match gw.list_functions(marker.take()).await {
            Ok(page) => {
                for function in page.functions().iter().filter_map(configuration) {
                    account.functions.upsert(function);
                }
                match page.next_marker().filter(|m| !m.is_empty()) {
                    Some(next) => marker = Some(next.to_string()),
                    None => {
                        account.functions.set_listing(Listing::Complete);
                        return;
                    }
                }
            }
            Err(reason) => {
                account.functions.set_listing(Listing::Unreadable(reason));
                return;
            }
        }
    }
    account.functions.set_listing(Listing::Unreadable(
        Unreadable::new(
            "lambda:ListFunctions",
            "CallBudget",
            format!(
                "crossdock reads at most {SEARCH_PAGES} pages ({} functions) to find the function a role runs, and the account has more",
                SEARCH_PAGES * 50
            ),
        )
        .with_hint("name the function with --lambda-function NAME"),
    ));
}

fn mark_absent(account: &mut Account, reference: &str) {
    let kind = if reference.starts_with("arn:") {
        KeyKind::Arn
    } else {
        KeyKind::Name
    };
    account.functions.mark_absent(kind, reference);
}

fn configuration(found: &FunctionConfiguration) -> Option<LambdaFunction> {
    function_from(
        found.function_arn(),
        found.function_name(),
        found.role(),
        found.package_type().map(|p| p.as_str()),
        found
            .vpc_config()
            .map(|v| (v.vpc_id(), v.subnet_ids(), v.security_group_ids())),
    )
}

/// `(VpcId, SubnetIds, SecurityGroupIds)` of a `VpcConfig`.
type VpcParts<'a> = (Option<&'a str>, &'a [String], &'a [String]);

fn function_from(
    arn: Option<&str>,
    name: Option<&str>,
    role: Option<&str>,
    package_type: Option<&str>,
    vpc: Option<VpcParts<'_>>,
) -> Option<LambdaFunction> {
    // A function detached from its VPC keeps an empty VpcConfig.
    let vpc_config = match vpc {
        Some((Some(vpc_id), subnets, groups)) if !vpc_id.is_empty() => Field::Loaded(VpcConfig {
            vpc_id: vpc_id.to_string(),
            subnets: subnets.to_vec(),
            security_groups: groups.to_vec(),
        }),
        _ => Field::Absent,
    };
    // `$LATEST` and versions share one function: the ARN without a qualifier names it.
    let arn = arn?;
    let arn = match arn.matches(':').count() {
        7 => arn.rsplit_once(':').map_or(arn, |(base, _)| base),
        _ => arn,
    };
    Some(LambdaFunction {
        arn: arn.to_string(),
        name: name?.to_string(),
        role: role.unwrap_or_default().to_string(),
        package_type: package_type.unwrap_or("Zip").to_string(),
        vpc_config,
    })
}
