package org.sluice.proxy.gateway;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.sluice.policy.Mode;
import org.sluice.policy.content.ContentCheck;
import org.sluice.policy.content.ContentInput;
import org.sluice.policy.content.ContentVerdict;
import org.sluice.proxy.audit.AuditRecord;
import org.sluice.proxy.budget.ContentLedger;

/**
 * The rule's content checks, decided before a byte of the request leaves. A request whose rule has none passes
 * untouched. Otherwise the head and the body (at most maxRequestBodyBytes: the body limiter saw to that) are held
 * until the body is whole, then the checks read the body, the query and the header values as they would go
 * upstream (the head is already rewritten); what they read is what is sent, as one request with a length. A
 * refusal is 403 {@code content_refused}, or in report mode a forwarded request recorded as {@code report}; the
 * protected rows and rare values found count against the job's cumulative limits ({@link ContentLedger}).
 */
final class ContentGate extends ChannelInboundHandlerAdapter {
    /** Failure of the checks themselves: the request is refused rather than sent unchecked. */
    static final String CHECK_FAILED = "error";
    /** The check a cumulative limit belongs to. */
    private static final String CUMULATIVE_CHECK = "protectedData";
    private static final byte[] NO_BODY = new byte[0];
    /** Headers Sluice itself writes on the way up: the algorithm's data cannot be in them. */
    private static final List<AsciiString> OWN_HEADERS = List.of(HttpHeaderNames.HOST, HttpHeaderNames.VIA,
            HttpHeaderNames.CONTENT_LENGTH, SluiceHeaders.REQUEST_ID);

    private final ConnectionContext conn;
    /** The head of a request whose body is being held; null when nothing is. */
    private HttpRequest heldHead;
    /** Owned by this handler while a body is held: released when checked, refused or the connection ends. */
    private CompositeByteBuf heldBody;

    ContentGate(ConnectionContext conn) {
        this.conn = conn;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest request) {
            releaseHeld(); // a head arrives only once the previous request is whole: nothing is held here
            Exchange ex = conn.current;
            ContentCheck check = ex.decision.content();
            if (check == null) {
                ctx.fireChannelRead(msg); // no content checks: nothing held, nothing copied
            } else if (msg instanceof FullHttpRequest full) {
                // A chunked body, made whole by the body limiter.
                decide(ctx, ex, full, full.content(), true);
            } else {
                heldHead = request;
                heldBody = ctx.alloc().compositeBuffer(Integer.MAX_VALUE);
            }
        } else if (heldHead != null && msg instanceof HttpContent content) {
            heldBody.addComponent(true, content.content().retain());
            content.release();
            if (content instanceof LastHttpContent) {
                HttpRequest head = heldHead;
                ByteBuf body = heldBody;
                heldHead = null;
                heldBody = null;
                decide(ctx, conn.current, head, body, false);
            }
        } else {
            ctx.fireChannelRead(msg);
        }
    }

    /**
     * Runs the checks on a whole request and forwards it, refuses it or reports it. Takes ownership of
     * {@code body} (for a FullHttpRequest, its content): released here, once its bytes are copied out.
     */
    private void decide(ChannelHandlerContext ctx, Exchange ex, HttpRequest head, ByteBuf body, boolean wasFull) {
        byte[] bytes = body.isReadable() ? ByteBufUtil.getBytes(body) : NO_BODY;
        body.release();
        if (ex == null || ex.finished() || ex.refused) {
            return; // refused or abandoned while the body arrived: nothing of it goes anywhere
        }
        ContentCheck check = ex.decision.content();
        HttpHeaders headers = head.headers();
        ContentVerdict verdict;
        try {
            verdict = check.inspect(new ContentInput(bytes, headers.get(HttpHeaderNames.CONTENT_TYPE),
                    headers.get(HttpHeaderNames.CONTENT_ENCODING), ex.route.rawQuery(), forwardedValues(ex, headers)));
        } catch (RuntimeException e) {
            // Never sent unchecked; the message names the failure, never the body.
            conn.gateway.recorder().contentChecked("refused", CHECK_FAILED, bytes.length);
            ErrorResponder.refuse(ctx, conn, ex, Refusal.CONTENT_REFUSED, "the content checks failed on this "
                    + "request (" + e.getClass().getSimpleName() + "); it is refused rather than sent unchecked");
            return;
        }
        boolean report = (check.mode() != null ? check.mode() : ex.decision.mode()) == Mode.REPORT;
        String refusedBy = verdict.refusedBy();
        String reason = verdict.passed() ? null : reasonOf(verdict);
        ContentLedger ledger = conn.gateway.contentLedger();
        long now = System.currentTimeMillis();
        if (verdict.passed()) {
            ContentLedger.Refusal over = ledger.charge(check.cumulative(), ex.policy.budgets().window(),
                    verdict.rowsMatched(), verdict.rareValues(), now);
            if (over != null) {
                refusedBy = CUMULATIVE_CHECK;
                reason = over.reason();
            }
        }
        ex.content = new AuditRecord.Content(refusedBy, verdict.rowsMatched(), verdict.rareValues(),
                verdict.entropy(), verdict.schemaErrors(), verdict.layers(), verdict.opaque());
        if (refusedBy == null) {
            conn.gateway.recorder().contentChecked("passed", null, bytes.length);
        } else if (report) {
            // Let through, so what it carried has left: it counts against the requests after it.
            ledger.add(ex.policy.budgets().window(), verdict.rowsMatched(), verdict.rareValues(), now);
            ex.reportedAfterDecision = true;
            ex.reason = "would be refused: " + reason;
            conn.gateway.recorder().contentChecked("reported", refusedBy, bytes.length);
        } else {
            conn.gateway.recorder().contentChecked("refused", refusedBy, bytes.length);
            ErrorResponder.refuse(ctx, conn, ex, Refusal.CONTENT_REFUSED, reason);
            return;
        }
        forward(ctx, head, bytes, wasFull);
    }

    /**
     * Sends on exactly the bytes that were checked: one request with its length. A bodiless request goes as a
     * head and an empty end, as it came, so that the relay may still replay it on a fresh connection.
     */
    private static void forward(ChannelHandlerContext ctx, HttpRequest head, byte[] body, boolean wasFull) {
        if (body.length == 0 && !wasFull) {
            ctx.fireChannelRead(head);
            ctx.fireChannelRead(LastHttpContent.EMPTY_LAST_CONTENT);
            return;
        }
        // The headers are the head's own (rewritten for the upstream), Content-Length as received.
        ctx.fireChannelRead(new DefaultFullHttpRequest(head.protocolVersion(), head.method(), head.uri(),
                Unpooled.wrappedBuffer(body), head.headers(), LastHttpContent.EMPTY_LAST_CONTENT.trailingHeaders()));
    }

    /** The verdict's reason, or one naming the check when the check gave none. */
    private static String reasonOf(ContentVerdict verdict) {
        String reason = verdict.reason();
        return reason == null || reason.isBlank()
                ? "the content check '" + verdict.refusedBy() + "' refused the request" : reason;
    }

    /**
     * The values of the headers that go upstream with the algorithm's data in them: all but those Sluice writes
     * (Host, Via, Content-Length, X-Sluice-Request-Id) and the credentials it injects for the upstream.
     */
    private static List<String> forwardedValues(Exchange ex, HttpHeaders headers) {
        List<String> values = new ArrayList<>(headers.size());
        Iterator<Map.Entry<CharSequence, CharSequence>> it = headers.iteratorCharSequence();
        while (it.hasNext()) {
            Map.Entry<CharSequence, CharSequence> header = it.next();
            if (!own(header.getKey()) && !ex.route.upstream().injectsHeader(header.getKey())) {
                values.add(header.getValue().toString());
            }
        }
        return values;
    }

    private static boolean own(CharSequence name) {
        for (AsciiString header : OWN_HEADERS) {
            if (header.contentEqualsIgnoreCase(name)) {
                return true;
            }
        }
        return false;
    }

    private void releaseHeld() {
        heldHead = null;
        if (heldBody != null) {
            heldBody.release();
            heldBody = null;
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        releaseHeld(); // a body not received whole is never forwarded
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        releaseHeld();
    }
}
