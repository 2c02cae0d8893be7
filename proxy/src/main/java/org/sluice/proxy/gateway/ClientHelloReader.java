package org.sluice.proxy.gateway;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * Reads the server name (SNI) out of the first TLS record a client sends into a tunnel, without consuming
 * anything. Strict on purpose: whatever it cannot read with certainty is refused, never passed unchecked. A
 * ClientHello split over several records (legal, but used to slip past SNI filters) is refused; so is one with an
 * encrypted ClientHello extension (ECH or its draft ESNI), whose outer name is not the server the client means.
 */
final class ClientHelloReader {
    /** The largest TLS plaintext record (RFC 8446 5.1). A first record larger than this is not TLS. */
    static final int MAX_RECORD = 16_384;
    static final int RECORD_HEADER = 5;

    private static final int CONTENT_HANDSHAKE = 22;
    private static final int CLIENT_HELLO = 1;
    private static final int EXT_SERVER_NAME = 0;
    private static final int EXT_ENCRYPTED_CLIENT_HELLO = 0xfe0d;
    private static final int EXT_ENCRYPTED_SERVER_NAME = 0xffce;
    private static final int HOST_NAME = 0;
    private static final int MAX_HOST_NAME = 255;

    enum Outcome { NEED_MORE, SERVER_NAME, NO_SERVER_NAME, NOT_TLS, MALFORMED, ENCRYPTED }

    /**
     * @param serverName the name, as sent (SERVER_NAME only)
     * @param problem    what is wrong, one phrase (NOT_TLS, MALFORMED, ENCRYPTED)
     */
    record Result(Outcome outcome, String serverName, String problem) {
        static final Result NEED_MORE = new Result(Outcome.NEED_MORE, null, null);
        static final Result NO_SERVER_NAME = new Result(Outcome.NO_SERVER_NAME, null, null);

        static Result malformed(String problem) {
            return new Result(Outcome.MALFORMED, null, problem);
        }
    }

    /** Thrown inside the parser when a length points past its enclosing structure. */
    private static final class Truncated extends Exception {
        private static final long serialVersionUID = 1L;

        Truncated(String what) {
            super(what, null, false, false);
        }
    }

    private ClientHelloReader() {
    }

    /** Looks at the readable bytes of {@code in} (not moved); NEED_MORE until the whole first record is there. */
    static Result read(ByteBuf in) {
        int start = in.readerIndex();
        int available = in.readableBytes();
        if (available < 1) {
            return Result.NEED_MORE;
        }
        if (in.getUnsignedByte(start) != CONTENT_HANDSHAKE) {
            return new Result(Outcome.NOT_TLS, null, "the first bytes are not a TLS handshake record");
        }
        if (available < 3) {
            return Result.NEED_MORE;
        }
        if (in.getUnsignedByte(start + 1) != 3) {
            return new Result(Outcome.NOT_TLS, null, "the first record is not TLS (version byte "
                    + in.getUnsignedByte(start + 1) + ")");
        }
        if (available < RECORD_HEADER) {
            return Result.NEED_MORE;
        }
        int recordLength = in.getUnsignedShort(start + 3);
        if (recordLength == 0 || recordLength > MAX_RECORD) {
            return Result.malformed("the first TLS record is " + recordLength + " bytes long");
        }
        if (available < RECORD_HEADER + recordLength) {
            return Result.NEED_MORE;
        }
        try {
            return clientHello(in, start + RECORD_HEADER, start + RECORD_HEADER + recordLength);
        } catch (Truncated e) {
            return Result.malformed(e.getMessage() + " runs past its end");
        }
    }

    private static Result clientHello(ByteBuf in, int from, int recordEnd) throws Truncated {
        need(from, 4, recordEnd, "the handshake header");
        if (in.getUnsignedByte(from) != CLIENT_HELLO) {
            return Result.malformed("the first handshake message is not a ClientHello");
        }
        int length = in.getUnsignedMedium(from + 1);
        int p = from + 4;
        if (p + length > recordEnd) {
            return Result.malformed("the ClientHello continues in a second TLS record; Sluice reads the server "
                    + "name from the first record only");
        }
        int end = p + length;
        need(p, 2 + 32, end, "the ClientHello");
        p += 2 + 32; // legacy_version, random
        p = skip(in, p, 1, end, "the session id");
        p = skip(in, p, 2, end, "the cipher suites");
        p = skip(in, p, 1, end, "the compression methods");
        if (p == end) {
            return Result.NO_SERVER_NAME; // no extensions at all
        }
        need(p, 2, end, "the extensions");
        int extensionsEnd = p + 2 + in.getUnsignedShort(p);
        if (extensionsEnd != end) {
            return Result.malformed("the extensions do not end where the ClientHello does");
        }
        p += 2;
        String name = null;
        boolean sawServerName = false;
        while (p < extensionsEnd) {
            need(p, 4, extensionsEnd, "an extension header");
            int type = in.getUnsignedShort(p);
            int dataLength = in.getUnsignedShort(p + 2);
            int data = p + 4;
            need(data, dataLength, extensionsEnd, "an extension");
            if (type == EXT_ENCRYPTED_CLIENT_HELLO || type == EXT_ENCRYPTED_SERVER_NAME) {
                return new Result(Outcome.ENCRYPTED, null, "the ClientHello hides the real server name "
                        + "(encrypted ClientHello)");
            }
            if (type == EXT_SERVER_NAME) {
                if (sawServerName) {
                    return Result.malformed("the ClientHello carries two server_name extensions");
                }
                sawServerName = true;
                Result names = serverName(in, data, data + dataLength);
                if (names.outcome() == Outcome.MALFORMED) {
                    return names;
                }
                name = names.serverName();
            }
            p = data + dataLength;
        }
        return name == null ? Result.NO_SERVER_NAME : new Result(Outcome.SERVER_NAME, name, null);
    }

    /** The one host_name of a server_name extension (RFC 6066 3): SERVER_NAME, NO_SERVER_NAME or MALFORMED. */
    private static Result serverName(ByteBuf in, int from, int end) throws Truncated {
        need(from, 2, end, "the server name list");
        if (from + 2 + in.getUnsignedShort(from) != end) {
            return Result.malformed("the server name list does not fill its extension");
        }
        String name = null;
        int p = from + 2;
        while (p < end) {
            need(p, 3, end, "a server name");
            int type = in.getUnsignedByte(p);
            int length = in.getUnsignedShort(p + 1);
            need(p + 3, length, end, "a server name");
            if (type == HOST_NAME) {
                if (name != null) {
                    return Result.malformed("the ClientHello names two servers");
                }
                if (length == 0 || length > MAX_HOST_NAME) {
                    return Result.malformed("the server name is " + length + " bytes long");
                }
                for (int i = p + 3; i < p + 3 + length; i++) {
                    int b = in.getUnsignedByte(i);
                    if (b <= 0x20 || b >= 0x7f) {
                        return Result.malformed("the server name has a byte that no host name has (" + b + ")");
                    }
                }
                name = in.toString(p + 3, length, StandardCharsets.US_ASCII);
            }
            p += 3 + length;
        }
        return name == null ? Result.NO_SERVER_NAME : new Result(Outcome.SERVER_NAME, name, null);
    }

    private static int skip(ByteBuf in, int p, int lengthBytes, int end, String what) throws Truncated {
        need(p, lengthBytes, end, what);
        int length = lengthBytes == 1 ? in.getUnsignedByte(p) : in.getUnsignedShort(p);
        need(p + lengthBytes, length, end, what);
        return p + lengthBytes + length;
    }

    private static void need(int p, int length, int end, String what) throws Truncated {
        if (p + length > end) {
            throw new Truncated(what);
        }
    }
}
