package dev.duplex.protocol;

/** Which end of the connection this is; it decides masking (RFC 6455 §5.3) and who closes TCP first (§7.1.1). */
public enum Role {
    CLIENT,
    SERVER
}
