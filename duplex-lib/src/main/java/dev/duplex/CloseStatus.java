package dev.duplex;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A close status: the code and reason of a WebSocket Close frame (RFC 6455 §7.4), or a status that exists only
 * locally ({@link #NO_STATUS_RCVD}, {@link #ABNORMAL_CLOSURE}, {@link #TLS_HANDSHAKE}).
 *
 * <p>The constants carry the names of the IANA "WebSocket Close Code Number Registry". The reason is at most 123
 * bytes of UTF-8, so that code and reason fit a control frame's 125 bytes.
 */
public record CloseStatus(int code, String reason) {

    /** 1000: the purpose for which the connection was established has been fulfilled. */
    public static final CloseStatus NORMAL_CLOSURE = new CloseStatus(1000, "");
    /** 1001: an endpoint is going away, such as a server shutting down or an idle timeout. */
    public static final CloseStatus GOING_AWAY = new CloseStatus(1001, "");
    /** 1002: the peer broke the protocol. */
    public static final CloseStatus PROTOCOL_ERROR = new CloseStatus(1002, "");
    /** 1003: a data type the endpoint cannot accept. */
    public static final CloseStatus UNSUPPORTED_DATA = new CloseStatus(1003, "");
    /** 1005: local only; the peer's Close frame had no status code. */
    public static final CloseStatus NO_STATUS_RCVD = new CloseStatus(1005, "");
    /** 1006: local only; the connection ended without a closing handshake. */
    public static final CloseStatus ABNORMAL_CLOSURE = new CloseStatus(1006, "");
    /** 1007: a message's data was not consistent with its type, such as invalid UTF-8 in a text message. */
    public static final CloseStatus INVALID_FRAME_PAYLOAD_DATA = new CloseStatus(1007, "");
    /** 1008: a message violated the endpoint's policy. */
    public static final CloseStatus POLICY_VIOLATION = new CloseStatus(1008, "");
    /** 1009: a message or frame was larger than the endpoint's limit. */
    public static final CloseStatus MESSAGE_TOO_BIG = new CloseStatus(1009, "");
    /** 1010: the client expected the server to negotiate an extension. */
    public static final CloseStatus MANDATORY_EXTENSION = new CloseStatus(1010, "");
    /** 1011: the server met an unexpected condition. */
    public static final CloseStatus INTERNAL_ERROR = new CloseStatus(1011, "");
    /** 1012: the service is restarting. */
    public static final CloseStatus SERVICE_RESTART = new CloseStatus(1012, "");
    /** 1013: try again later. */
    public static final CloseStatus TRY_AGAIN_LATER = new CloseStatus(1013, "");
    /** 1014: a gateway received an invalid response. */
    public static final CloseStatus BAD_GATEWAY = new CloseStatus(1014, "");
    /** 1015: local only; the TLS handshake failed. */
    public static final CloseStatus TLS_HANDSHAKE = new CloseStatus(1015, "");

    /** The longest reason in UTF-8 bytes: 125 bytes of control payload minus the 2-byte code. */
    public static final int MAX_REASON_BYTES = 123;

    public CloseStatus {
        if (code < 1000 || code > 4999) {
            throw new IllegalArgumentException("close code " + code + " is outside 1000-4999");
        }
        Objects.requireNonNull(reason, "reason");
        if (reason.length() > MAX_REASON_BYTES / 3
                && reason.getBytes(StandardCharsets.UTF_8).length > MAX_REASON_BYTES) {
            throw new IllegalArgumentException("close reason is longer than " + MAX_REASON_BYTES + " bytes of UTF-8");
        }
    }

    /** The status with this code and reason. */
    public static CloseStatus of(int code, String reason) {
        return new CloseStatus(code, reason);
    }

    /** The same code with another reason. */
    public CloseStatus withReason(String reason) {
        return new CloseStatus(code, reason);
    }

    /**
     * Whether this code may appear in a Close frame on the wire (RFC 6455 §7.4): 1000-1003, 1007-1014 (the codes
     * IANA has registered for endpoints to send) and 3000-4999 (libraries, frameworks and applications). A received
     * Close frame with any other code fails the connection with 1002.
     */
    public static boolean isSendable(int code) {
        return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
    }

    /** Whether this status may be sent in a Close frame; see {@link #isSendable(int)}. */
    public boolean isSendable() {
        return isSendable(code);
    }

    /** The IANA name of the code ("Normal Closure"), or "Private use" / "Registered" for the open ranges. */
    public String name() {
        return switch (code) {
            case 1000 -> "Normal Closure";
            case 1001 -> "Going Away";
            case 1002 -> "Protocol error";
            case 1003 -> "Unsupported Data";
            case 1005 -> "No Status Rcvd";
            case 1006 -> "Abnormal Closure";
            case 1007 -> "Invalid frame payload data";
            case 1008 -> "Policy Violation";
            case 1009 -> "Message Too Big";
            case 1010 -> "Mandatory Ext.";
            case 1011 -> "Internal Error";
            case 1012 -> "Service Restart";
            case 1013 -> "Try Again Later";
            case 1014 -> "Bad Gateway";
            case 1015 -> "TLS handshake";
            default -> code >= 4000 ? "Private use" : code >= 3000 ? "Registered" : "Reserved";
        };
    }

    @Override
    public String toString() {
        return reason.isEmpty() ? code + " " + name() : code + " " + name() + ": " + reason;
    }
}
