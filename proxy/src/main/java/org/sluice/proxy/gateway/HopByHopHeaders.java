package org.sluice.proxy.gateway;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Takes hop-by-hop headers (RFC 9110 7.6.1), the names the Connection header lists and every Proxy-* header
 * out of a message before it crosses to the other side of the proxy. A framing header stays whatever Connection
 * names: stripping it while the body still went would let the next hop read that body as messages of its own.
 */
public final class HopByHopHeaders {
    /**
     * The request headers Sluice frames, routes or decides by: a request whose Connection header names one is
     * refused ({@link StrictRequestCheck}), for the upstream would get the request without it but as Sluice read it.
     */
    static final List<AsciiString> DECIDING_REQUEST_HEADERS = List.of(HttpHeaderNames.CONTENT_LENGTH,
            HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderNames.HOST, HttpHeaderNames.EXPECT);

    private static final Predicate<CharSequence> HOP_BY_HOP_IN_REQUESTS = name -> isHopByHop(name, false);
    private static final Predicate<CharSequence> HOP_BY_HOP_IN_RESPONSES = name -> isHopByHop(name, true);

    private HopByHopHeaders() {
    }

    /**
     * True when a request header with this name never goes upstream as sent, whatever the rule allows: it is
     * hop-by-hop, a Proxy-* header, or named by the request's Connection header. For {@code policy explain}.
     */
    public static boolean removedFromRequest(CharSequence name, HttpHeaders request) {
        return isHopByHop(name, false) || (listedIn(connectionTokens(request), name) && !isFraming(name));
    }

    /**
     * Removes them from {@code headers} in place. {@code keepTransferEncoding}: responses keep their framing
     * header; requests always go upstream with a Content-Length or no body. Allocates nothing when there is
     * nothing to remove, the common case.
     */
    static void remove(HttpHeaders headers, boolean keepTransferEncoding) {
        String connection = connectionTokens(headers);
        if (headers instanceof IndexedHeaders indexed) {
            if (connection == null) {
                indexed.removeFields(keepTransferEncoding ? HOP_BY_HOP_IN_RESPONSES : HOP_BY_HOP_IN_REQUESTS);
            } else {
                indexed.removeFields(name -> isHopByHop(name, keepTransferEncoding)
                        || (listedIn(connection, name) && !isFraming(name)));
            }
            return;
        }
        List<CharSequence> doomed = null;
        for (Iterator<Map.Entry<CharSequence, CharSequence>> it = headers.iteratorCharSequence(); it.hasNext(); ) {
            CharSequence name = it.next().getKey();
            if (isHopByHop(name, keepTransferEncoding) || (listedIn(connection, name) && !isFraming(name))) {
                if (doomed == null) {
                    doomed = new ArrayList<>(4);
                }
                doomed.add(name);
            }
        }
        if (doomed != null) {
            for (CharSequence name : doomed) {
                headers.remove(name);
            }
        }
    }

    /** Connection may arrive as several lines; together they form one token list (RFC 9110 5.3). */
    private static String connectionTokens(HttpHeaders from) {
        if (!from.contains(HttpHeaderNames.CONNECTION)) {
            return null;
        }
        List<String> lines = from.getAll(HttpHeaderNames.CONNECTION);
        return switch (lines.size()) {
            case 0 -> null;
            case 1 -> lines.get(0);
            default -> String.join(",", lines);
        };
    }

    private static boolean isFraming(CharSequence name) {
        return AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.CONTENT_LENGTH)
                || AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.TRANSFER_ENCODING);
    }

    /**
     * The first of {@code names} that the Connection header value {@code connection} lists, or null. Compares in
     * place, ignoring case and the space around tokens: it runs on every request that carries Connection.
     */
    static AsciiString firstListed(CharSequence connection, List<AsciiString> names) {
        for (int start = 0, end; start < connection.length(); start = end + 1) {
            end = HeadSyntax.tokenEnd(connection, start);
            for (AsciiString name : names) {
                if (HeadSyntax.tokenIs(connection, start, end, name, true)) {
                    return name;
                }
            }
        }
        return null;
    }

    private static boolean isHopByHop(CharSequence name, boolean keepTransferEncoding) {
        return AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.CONNECTION)
                || AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.KEEP_ALIVE)
                || AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.TE)
                || AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.TRAILER)
                || AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.UPGRADE)
                || (!keepTransferEncoding
                    && AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.TRANSFER_ENCODING))
                || AsciiString.regionMatches(name, true, 0, "proxy-", 0, 6);
    }

    /** True when the Connection header value names {@code name} (a comma-separated token list). */
    static boolean listedIn(String connection, CharSequence name) {
        return connection != null && HeadSyntax.listHas(connection, name, true);
    }
}
