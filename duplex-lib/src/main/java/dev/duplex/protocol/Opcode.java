package dev.duplex.protocol;

/** The frame opcodes of RFC 6455 §5.2; the others (0x3-0x7, 0xB-0xF) are reserved. */
public enum Opcode {
    CONTINUATION(0x0),
    TEXT(0x1),
    BINARY(0x2),
    CLOSE(0x8),
    PING(0x9),
    PONG(0xA);

    private static final Opcode[] BY_CODE = new Opcode[16];

    static {
        for (Opcode op : values()) {
            BY_CODE[op.code] = op;
        }
    }

    private final int code;

    Opcode(int code) {
        this.code = code;
    }

    /** The opcode with this 4-bit code, or null when the code is reserved. */
    public static Opcode of(int code) {
        return BY_CODE[code & 0xF];
    }

    /** The 4-bit code on the wire. */
    public int code() {
        return code;
    }

    /** RFC 6455 §5.5: "Control frames are identified by opcodes where the most significant bit of the opcode is 1." */
    public boolean isControl() {
        return (code & 0x8) != 0;
    }
}
