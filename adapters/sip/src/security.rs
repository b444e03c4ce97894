//! Who may send calls: an allow-list of networks, and optionally digest authentication
//! (RFC 2617 MD5, with or without `qop=auth`).

use crate::sip::Message;
use ipnet::IpNet;
use std::collections::BTreeMap;
use std::net::SocketAddr;

/// What to do with a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Go ahead.
    Allow,
    /// Answer 401 with this `WWW-Authenticate` value.
    Challenge(String),
    /// Answer 403.
    Forbidden,
}

/// The policy of one adapter.
#[derive(Debug, Clone)]
pub struct Guard {
    allow: Vec<IpNet>,
    realm: String,
    users: BTreeMap<String, String>,
    secret: String,
}

/// Nonces stay valid for two windows of this length.
const NONCE_WINDOW_MS: u64 = 300_000;

impl Guard {
    /// A guard allowing `allow` networks, with digest credentials when `users` is not empty.
    pub fn new(allow: Vec<IpNet>, realm: String, users: BTreeMap<String, String>, secret: u64) -> Guard {
        Guard {
            allow,
            realm,
            users,
            secret: format!("{secret:x}"),
        }
    }

    fn nonce(&self, window: u64) -> String {
        format!("{:x}", md5::compute(format!("{}:{window}", self.secret)))
    }

    /// Judges a request from `source` at `now`.
    pub fn check(&self, source: SocketAddr, request: &Message, now: u64) -> Verdict {
        if !self.allow.iter().any(|n| n.contains(&source.ip())) {
            return Verdict::Forbidden;
        }
        if self.users.is_empty() {
            return Verdict::Allow;
        }
        let window = now / NONCE_WINDOW_MS;
        let challenge = Verdict::Challenge(format!(
            "Digest realm=\"{}\", nonce=\"{}\", algorithm=MD5, qop=\"auth\"",
            self.realm,
            self.nonce(window)
        ));
        let Some(auth) = request
            .header("Authorization")
            .and_then(|v| v.strip_prefix("Digest "))
        else {
            return challenge;
        };
        let p = digest_params(auth);
        let get = |k: &str| p.get(k).map(String::as_str).unwrap_or_default();
        let Some(password) = self.users.get(get("username")) else {
            return Verdict::Forbidden;
        };
        let nonce = get("nonce");
        if nonce != self.nonce(window) && nonce != self.nonce(window.saturating_sub(1)) {
            return challenge; // stale
        }
        let method = request.method().map(|m| m.to_string()).unwrap_or_default();
        let ha1 = md5::compute(format!("{}:{}:{password}", get("username"), self.realm));
        let ha2 = md5::compute(format!("{method}:{}", get("uri")));
        let expected = if p.contains_key("qop") {
            md5::compute(format!(
                "{ha1:x}:{nonce}:{}:{}:{}:{ha2:x}",
                get("nc"),
                get("cnonce"),
                get("qop")
            ))
        } else {
            md5::compute(format!("{ha1:x}:{nonce}:{ha2:x}"))
        };
        if format!("{expected:x}") == get("response") {
            Verdict::Allow
        } else {
            Verdict::Forbidden
        }
    }
}

/// `k="v", k2=v2` into a map.
fn digest_params(s: &str) -> BTreeMap<String, String> {
    crate::sip::split_list(s)
        .into_iter()
        .filter_map(|kv| {
            let (k, v) = kv.split_once('=')?;
            Some((
                k.trim().to_ascii_lowercase(),
                v.trim().trim_matches('"').to_string(),
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(auth: Option<&str>) -> Message {
        let mut m = Message::request(crate::sip::Method::Invite, "sip:ivr@127.0.0.1");
        if let Some(a) = auth {
            m.push("Authorization", a);
        }
        m
    }

    #[test]
    fn only_allowed_networks_pass() {
        let g = Guard::new(
            vec!["10.0.0.0/8".parse().unwrap()],
            "r".into(),
            BTreeMap::new(),
            1,
        );
        assert_eq!(
            g.check("10.1.2.3:5060".parse().unwrap(), &request(None), 0),
            Verdict::Allow
        );
        assert_eq!(
            g.check("192.168.1.1:5060".parse().unwrap(), &request(None), 0),
            Verdict::Forbidden
        );
    }

    #[test]
    fn digest_with_qop_is_verified() {
        let users = BTreeMap::from([("trunk".to_string(), "secret".to_string())]);
        let g = Guard::new(vec!["127.0.0.0/8".parse().unwrap()], "callroute".into(), users, 9);
        let src = "127.0.0.1:5060".parse().unwrap();
        let Verdict::Challenge(c) = g.check(src, &request(None), 1_000) else {
            panic!()
        };
        let nonce = digest_params(c.strip_prefix("Digest ").unwrap())["nonce"].clone();
        let ha1 = md5::compute("trunk:callroute:secret");
        let ha2 = md5::compute("INVITE:sip:ivr@127.0.0.1");
        let resp = md5::compute(format!("{ha1:x}:{nonce}:00000001:abc:auth:{ha2:x}"));
        let auth = format!(
            "Digest username=\"trunk\", realm=\"callroute\", nonce=\"{nonce}\", uri=\"sip:ivr@127.0.0.1\", \
             response=\"{resp:x}\", qop=auth, nc=00000001, cnonce=\"abc\""
        );
        assert_eq!(g.check(src, &request(Some(&auth)), 2_000), Verdict::Allow);
        let wrong = auth.replace(&format!("{resp:x}"), "0000");
        assert_eq!(g.check(src, &request(Some(&wrong)), 2_000), Verdict::Forbidden);
        // Two windows later the nonce is stale: challenged again.
        assert!(matches!(
            g.check(src, &request(Some(&auth)), 700_000),
            Verdict::Challenge(_)
        ));
    }
}
