//! Framing SIP messages on a stream transport (RFC 3261 section 18.3): each message
//! ends after its headers and Content-Length bytes of body.

/// Longest message accepted on a connection.
pub const MAX_MESSAGE: usize = 65_536;

/// Why a stream cannot be framed: the connection must be closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("SIP stream cannot be framed")]
pub struct FrameError;

/// Takes the next whole message off the front of `buf` (leading CRLF keep-alives are
/// skipped). `Ok(None)` when more bytes are needed.
pub fn next_message(buf: &mut Vec<u8>) -> Result<Option<Vec<u8>>, FrameError> {
    let start = buf
        .iter()
        .position(|b| !matches!(b, b'\r' | b'\n'))
        .unwrap_or(buf.len());
    buf.drain(..start);
    let Some(head_end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
        return if buf.len() > MAX_MESSAGE {
            Err(FrameError)
        } else {
            Ok(None)
        };
    };
    let head = std::str::from_utf8(&buf[..head_end]).map_err(|_| FrameError)?;
    let length = head
        .split("\r\n")
        .filter_map(|line| line.split_once(':'))
        .find(|(name, _)| name.trim().eq_ignore_ascii_case("content-length") || name.trim() == "l")
        .map(|(_, v)| v.trim().parse::<usize>().map_err(|_| FrameError))
        .transpose()?
        // RFC 3261 section 18.3: on a stream Content-Length is mandatory.
        .ok_or(FrameError)?;
    let total = head_end + 4 + length;
    if total > MAX_MESSAGE {
        return Err(FrameError);
    }
    if buf.len() < total {
        return Ok(None);
    }
    Ok(Some(buf.drain(..total).collect()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_framed_by_content_length() {
        let one = b"OPTIONS sip:a SIP/2.0\r\nContent-Length: 4\r\n\r\nabcd";
        let two = b"BYE sip:a SIP/2.0\r\nl: 0\r\n\r\n";
        let mut buf = b"\r\n\r\n".to_vec();
        buf.extend_from_slice(one);
        buf.extend_from_slice(&two[..10]);
        assert_eq!(next_message(&mut buf), Ok(Some(one.to_vec())));
        assert_eq!(next_message(&mut buf), Ok(None));
        buf.extend_from_slice(&two[10..]);
        assert_eq!(next_message(&mut buf), Ok(Some(two.to_vec())));
        assert!(buf.is_empty());
    }

    #[test]
    fn unframeable_streams_are_refused() {
        let mut no_length = b"OPTIONS sip:a SIP/2.0\r\nVia: x\r\n\r\n".to_vec();
        assert_eq!(next_message(&mut no_length), Err(FrameError));
        let mut huge = b"OPTIONS sip:a SIP/2.0\r\nContent-Length: 999999\r\n\r\n".to_vec();
        assert_eq!(next_message(&mut huge), Err(FrameError));
        let mut endless = vec![b'a'; MAX_MESSAGE + 1];
        assert_eq!(next_message(&mut endless), Err(FrameError));
    }
}
