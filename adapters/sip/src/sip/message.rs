//! SIP messages: parsed by `rsip`, then held as a flat header list so transactions and
//! dialogs can copy headers verbatim (Via, Record-Route) without re-encoding them.

use rsip::Method;
use std::fmt::Write as _;

/// Why a datagram is not a usable SIP message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// The parser rejected the bytes.
    #[error("not a SIP message: {0}")]
    Syntax(String),
    /// A header every request and response needs is missing or unreadable.
    #[error("missing or bad {0} header")]
    Header(&'static str),
}

/// Request line or status line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StartLine {
    /// A request.
    Request {
        /// Method.
        method: Method,
        /// Request-URI as written.
        uri: String,
    },
    /// A response.
    Response {
        /// Status code.
        code: u16,
        /// Reason phrase.
        reason: String,
    },
}

/// A SIP message with its headers in order (names in canonical form).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// Request line or status line.
    pub start: StartLine,
    /// Headers in order, without Content-Length (computed when encoding).
    pub headers: Vec<(String, String)>,
    /// Body.
    pub body: Vec<u8>,
}

/// Compact header forms (RFC 3261 section 7.3.3 and extensions).
fn canonical(name: &str) -> String {
    let full = match name.to_ascii_lowercase().as_str() {
        "i" | "call-id" => "Call-ID",
        "f" | "from" => "From",
        "t" | "to" => "To",
        "v" | "via" => "Via",
        "m" | "contact" => "Contact",
        "l" | "content-length" => "Content-Length",
        "c" | "content-type" => "Content-Type",
        "r" | "refer-to" => "Refer-To",
        "o" | "event" => "Event",
        "k" | "supported" => "Supported",
        "cseq" => "CSeq",
        "record-route" => "Record-Route",
        "route" => "Route",
        "max-forwards" => "Max-Forwards",
        "expires" => "Expires",
        "authorization" => "Authorization",
        "www-authenticate" => "WWW-Authenticate",
        "subscription-state" => "Subscription-State",
        _ => return name.to_string(),
    };
    full.to_string()
}

impl Message {
    /// Parses one datagram. Never panics: the parser runs behind a panic guard because
    /// it sees bytes from the network.
    pub fn parse(bytes: &[u8]) -> Result<Message, ParseError> {
        let parsed = guarded(|| Some(rsip::SipMessage::try_from(bytes)))
            .ok_or_else(|| ParseError::Syntax("parser failure".into()))?
            .map_err(|e| ParseError::Syntax(e.to_string()))?;
        let (start, headers, body) = match parsed {
            rsip::SipMessage::Request(r) => (
                StartLine::Request {
                    method: r.method,
                    uri: r.uri.to_string(),
                },
                r.headers,
                r.body,
            ),
            rsip::SipMessage::Response(r) => {
                let code = r.status_code.code();
                let text = r.status_code.to_string();
                let reason = text
                    .split_once(' ')
                    .map(|(_, r)| r.to_string())
                    .unwrap_or_default();
                (StartLine::Response { code, reason }, r.headers, r.body)
            }
        };
        let headers = headers
            .iter()
            .filter_map(|h| {
                let line = h.to_string();
                let (name, value) = line.split_once(':')?;
                Some((canonical(name.trim()), value.trim().to_string()))
            })
            .filter(|(n, _)| n != "Content-Length")
            .collect();
        let msg = Message { start, headers, body };
        msg.check()?;
        Ok(msg)
    }

    fn check(&self) -> Result<(), ParseError> {
        for name in ["Via", "From", "To", "Call-ID"] {
            if self.header(name).is_none() {
                return Err(ParseError::Header(name));
            }
        }
        self.cseq().ok_or(ParseError::Header("CSeq"))?;
        if let StartLine::Request { .. } = self.start
            && self.branch().is_none()
        {
            return Err(ParseError::Header("Via"));
        }
        Ok(())
    }

    /// A new request.
    pub fn request(method: Method, uri: impl Into<String>) -> Message {
        Message {
            start: StartLine::Request {
                method,
                uri: uri.into(),
            },
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    /// The method of a request, or of the request a response answers (from CSeq).
    pub fn method(&self) -> Option<Method> {
        match &self.start {
            StartLine::Request { method, .. } => Some(*method),
            StartLine::Response { .. } => self.cseq().map(|(_, m)| m),
        }
    }

    /// Whether this is a request.
    pub fn is_request(&self) -> bool {
        matches!(self.start, StartLine::Request { .. })
    }

    /// The status code of a response.
    pub fn status(&self) -> Option<u16> {
        match self.start {
            StartLine::Response { code, .. } => Some(code),
            StartLine::Request { .. } => None,
        }
    }

    /// The Request-URI of a request.
    pub fn request_uri(&self) -> Option<&str> {
        match &self.start {
            StartLine::Request { uri, .. } => Some(uri),
            StartLine::Response { .. } => None,
        }
    }

    /// The first value of a header.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Every value of a header, with comma-separated lists split (outside `<>` and quotes).
    pub fn header_list(&self, name: &str) -> Vec<String> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .flat_map(|(_, v)| split_list(v))
            .collect()
    }

    /// Appends a header.
    pub fn push(&mut self, name: &str, value: impl Into<String>) {
        self.headers.push((name.to_string(), value.into()));
    }

    /// Replaces every value of a header with one.
    pub fn set(&mut self, name: &str, value: impl Into<String>) {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self.push(name, value);
    }

    /// Removes a header.
    pub fn remove(&mut self, name: &str) {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
    }

    /// Call-ID.
    pub fn call_id(&self) -> &str {
        self.header("Call-ID").unwrap_or_default()
    }

    /// CSeq number and method.
    pub fn cseq(&self) -> Option<(u32, Method)> {
        let (n, m) = self.header("CSeq")?.split_once(' ')?;
        Some((n.trim().parse().ok()?, m.trim().parse().ok()?))
    }

    /// The tag of the From header.
    pub fn from_tag(&self) -> Option<&str> {
        self.header("From").and_then(|v| param(v, "tag"))
    }

    /// The tag of the To header.
    pub fn to_tag(&self) -> Option<&str> {
        self.header("To").and_then(|v| param(v, "tag"))
    }

    /// The branch of the top Via.
    pub fn branch(&self) -> Option<&str> {
        self.header("Via").and_then(|v| param(v, "branch"))
    }

    /// The URI inside a name-addr header value (`"Bob" <sip:bob@host>;tag=1`).
    pub fn uri_of(&self, name: &str) -> Option<String> {
        self.header(name).map(addr_uri)
    }

    /// Encodes the message with a correct Content-Length.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut head = match &self.start {
            StartLine::Request { method, uri } => format!("{method} {uri} SIP/2.0\r\n"),
            StartLine::Response { code, .. } => format!("SIP/2.0 {code} {}\r\n", self.reason()),
        };
        for (n, v) in &self.headers {
            let _ = write!(head, "{n}: {v}\r\n");
        }
        let _ = write!(head, "Content-Length: {}\r\n\r\n", self.body.len());
        let mut out = head.into_bytes();
        out.extend_from_slice(&self.body);
        out
    }

    fn reason(&self) -> &str {
        match &self.start {
            StartLine::Response { reason, .. } if !reason.is_empty() => reason,
            StartLine::Response { code, .. } => reason_phrase(*code),
            StartLine::Request { .. } => "",
        }
    }

    /// A response to this request: Via, From, To, Call-ID and CSeq copied (RFC 3261
    /// section 8.2.6.2); `to_tag` is added to To when it has none.
    pub fn response(&self, code: u16, to_tag: Option<&str>) -> Message {
        let mut r = Message {
            start: StartLine::Response {
                code,
                reason: reason_phrase(code).to_string(),
            },
            headers: Vec::new(),
            body: Vec::new(),
        };
        for (n, v) in &self.headers {
            match n.as_str() {
                "Via" | "From" | "Call-ID" | "CSeq" => r.push(n, v.clone()),
                "To" => match to_tag {
                    Some(tag) if param(v, "tag").is_none() => r.push(n, format!("{v};tag={tag}")),
                    _ => r.push(n, v.clone()),
                },
                _ => {}
            }
        }
        r
    }
}

/// The usual reason phrase of a status code.
pub fn reason_phrase(code: u16) -> &'static str {
    match code {
        100 => "Trying",
        180 => "Ringing",
        183 => "Session Progress",
        200 => "OK",
        202 => "Accepted",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        480 => "Temporarily Unavailable",
        481 => "Call/Transaction Does Not Exist",
        486 => "Busy Here",
        487 => "Request Terminated",
        488 => "Not Acceptable Here",
        500 => "Server Internal Error",
        501 => "Not Implemented",
        503 => "Service Unavailable",
        603 => "Decline",
        _ => "Unknown",
    }
}

/// The value of `;name=value` in a header value (outside the `<>` of a name-addr).
pub fn param<'a>(value: &'a str, name: &str) -> Option<&'a str> {
    let tail = match value.rfind('>') {
        Some(i) => &value[i + 1..],
        None => value,
    };
    tail.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=').unwrap_or((p, ""));
        k.trim().eq_ignore_ascii_case(name).then_some(v.trim())
    })
}

/// The URI of a name-addr or addr-spec (`<sip:a@b>;x` gives `sip:a@b`).
pub fn addr_uri(value: &str) -> String {
    match (value.find('<'), value.find('>')) {
        (Some(a), Some(b)) if a < b => value[a + 1..b].to_string(),
        _ => value.split(';').next().unwrap_or_default().trim().to_string(),
    }
}

/// Splits a header list on commas outside `<>` and quotes.
pub fn split_list(v: &str) -> Vec<String> {
    let (mut out, mut cur, mut angle, mut quote) = (Vec::new(), String::new(), false, false);
    for c in v.chars() {
        match c {
            '"' => quote = !quote,
            '<' if !quote => angle = true,
            '>' if !quote => angle = false,
            ',' if !angle && !quote => {
                out.push(cur.trim().to_string());
                cur.clear();
                continue;
            }
            _ => {}
        }
        cur.push(c);
    }
    if !cur.trim().is_empty() {
        out.push(cur.trim().to_string());
    }
    out
}

/// Runs a third-party parser on bytes from the network: a panic in it becomes `None`.
pub fn guarded<T>(f: impl FnOnce() -> Option<T> + std::panic::UnwindSafe) -> Option<T> {
    std::panic::catch_unwind(f).ok().flatten()
}

/// The socket address of a SIP URI with a literal IP host (port 5060 by default).
pub fn uri_addr(uri: &str) -> Option<std::net::SocketAddr> {
    let parsed = guarded(|| rsip::Uri::try_from(uri).ok())?;
    let host = parsed.host_with_port.host.to_string();
    let ip: std::net::IpAddr = host.trim_matches(['[', ']']).parse().ok()?;
    let port = parsed.host_with_port.port.map(|p| *p.value()).unwrap_or(5060);
    Some(std::net::SocketAddr::new(ip, port))
}

/// The user part of a SIP URI.
pub fn uri_user(uri: &str) -> Option<String> {
    guarded(|| rsip::Uri::try_from(uri).ok())?
        .user()
        .map(str::to_string)
}

/// A request as kamailio relays it, for tests.
#[cfg(test)]
pub(crate) const SAMPLE_INVITE: &str = "INVITE sip:ivr@127.0.0.1:5080 SIP/2.0\r\n\
Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKproxy1\r\n\
Via: SIP/2.0/UDP 127.0.0.1:5062;rport=5062;branch=z9hG4bKcaller1\r\n\
Record-Route: <sip:127.0.0.1;lr>\r\n\
From: <sip:caller@127.0.0.1>;tag=abc\r\n\
To: <sip:ivr@127.0.0.1>\r\n\
Call-ID: call-1@127.0.0.1\r\n\
CSeq: 10 INVITE\r\n\
Contact: <sip:caller@127.0.0.1:5062>\r\n\
Max-Forwards: 69\r\n\
Content-Type: application/sdp\r\n\
Content-Length: 4\r\n\r\nv=0\n";

#[cfg(test)]
mod tests {
    use super::*;
    const INVITE: &str = SAMPLE_INVITE;

    #[test]
    fn parses_an_invite_and_keeps_header_order() {
        let m = Message::parse(INVITE.as_bytes()).unwrap();
        assert_eq!(m.method(), Some(Method::Invite));
        assert_eq!(m.branch(), Some("z9hG4bKproxy1"));
        assert_eq!(m.from_tag(), Some("abc"));
        assert_eq!(m.to_tag(), None);
        assert_eq!(m.cseq(), Some((10, Method::Invite)));
        assert_eq!(m.header_list("Via").len(), 2);
        assert_eq!(m.uri_of("Contact").as_deref(), Some("sip:caller@127.0.0.1:5062"));
        assert_eq!(m.body, b"v=0\n");
    }

    #[test]
    fn a_response_copies_the_transaction_headers_and_adds_the_tag() {
        let m = Message::parse(INVITE.as_bytes()).unwrap();
        let r = m.response(180, Some("srv"));
        let text = String::from_utf8(r.to_bytes()).unwrap();
        assert!(text.starts_with("SIP/2.0 180 Ringing\r\n"), "{text}");
        assert!(text.contains("To: <sip:ivr@127.0.0.1>;tag=srv\r\n"));
        assert!(text.ends_with("Content-Length: 0\r\n\r\n"));
        let back = Message::parse(&r.to_bytes()).unwrap();
        assert_eq!(back.status(), Some(180));
        assert_eq!(back.header_list("Via").len(), 2);
        assert_eq!(back.to_tag(), Some("srv"));
    }

    #[test]
    fn rejects_garbage_and_missing_headers() {
        assert!(matches!(Message::parse(b"hello"), Err(ParseError::Syntax(_))));
        let no_cseq = INVITE.replace("CSeq: 10 INVITE\r\n", "");
        assert_eq!(
            Message::parse(no_cseq.as_bytes()),
            Err(ParseError::Header("CSeq"))
        );
    }

    #[test]
    fn lists_split_outside_angle_brackets() {
        assert_eq!(
            split_list("<sip:a;lr>, <sip:b,c;lr>"),
            vec!["<sip:a;lr>", "<sip:b,c;lr>"]
        );
        assert_eq!(param("<sip:x;lr>;tag=9", "tag"), Some("9"));
        assert_eq!(param("<sip:x;tag=1>", "tag"), None);
        assert_eq!(
            uri_addr("sip:bob@127.0.0.1:5070"),
            Some("127.0.0.1:5070".parse().unwrap())
        );
        assert_eq!(
            uri_addr("sip:127.0.0.1;lr"),
            Some("127.0.0.1:5060".parse().unwrap())
        );
        assert_eq!(uri_user("sip:bob@127.0.0.1"), Some("bob".into()));
    }
}
