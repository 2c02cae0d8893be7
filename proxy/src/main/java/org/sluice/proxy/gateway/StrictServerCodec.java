package org.sluice.proxy.gateway;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.ArrayDeque;
import java.util.List;

/**
 * The listeners' HTTP/1.1 codec: Netty's request decoder in its strict settings, preceded by a check of each
 * request head's raw bytes for what the decoder would quietly accept and normalise (folded header lines, a request
 * line that is not exactly {@code METHOD SP target SP version}), and Netty's response encoder told which requests
 * were HEAD or CONNECT, as {@code HttpServerCodec} does. A head that fails the check becomes a failed message, and
 * everything after it on the connection is discarded: the intake answers 400 and closes.
 */
final class StrictServerCodec extends CombinedChannelDuplexHandler<HttpRequestDecoder, HttpResponseEncoder> {
    private final ArrayDeque<HttpMethod> methods = new ArrayDeque<>(2);

    StrictServerCodec(HttpDecoderConfig config) {
        init(new StrictRequestDecoder(config), new ServerResponseEncoder());
    }

    /** Removes the request decoder only (a CONNECT's tunnel bytes follow); what it held is passed on raw. */
    void stopDecoding() {
        removeInboundHandler();
    }

    private final class StrictRequestDecoder extends HttpRequestDecoder {
        /** How far to look for the end of a head: beyond it the decoder's own limits refuse the request. */
        private final int maxHead;
        private boolean atHeadStart = true;
        private boolean discarding;

        StrictRequestDecoder(HttpDecoderConfig config) {
            super(config);
            this.maxHead = config.getMaxInitialLineLength() + config.getMaxHeaderSize() + 4;
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
            if (discarding) {
                in.skipBytes(in.readableBytes());
                return;
            }
            if (atHeadStart) {
                RawHead.Check check = RawHead.check(in, maxHead);
                if (check.waiting()) {
                    return; // the head is incomplete: decode nothing of it yet
                }
                if (check.problem() != null) {
                    discarding = true;
                    in.skipBytes(in.readableBytes());
                    out.add(invalid(check.problem()));
                    return;
                }
            }
            int before = out.size();
            super.decode(ctx, in, out);
            for (int i = before; i < out.size(); i++) {
                Object decoded = out.get(i);
                if (decoded instanceof HttpRequest request) {
                    methods.add(request.method());
                    atHeadStart = false;
                }
                if (decoded instanceof LastHttpContent) {
                    atHeadStart = true;
                }
            }
        }

        private FullHttpRequest invalid(String problem) {
            FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_0, HttpMethod.GET, "/bad-request",
                    Unpooled.EMPTY_BUFFER);
            request.setDecoderResult(DecoderResult.failure(new IllegalArgumentException(problem)));
            methods.add(HttpMethod.GET);
            return request;
        }
    }

    private final class ServerResponseEncoder extends HttpResponseEncoder {
        private HttpMethod method;

        @Override
        protected void sanitizeHeadersBeforeEncode(HttpResponse msg, boolean isAlwaysEmpty) {
            if (!isAlwaysEmpty && HttpMethod.CONNECT.equals(method)
                    && msg.status().codeClass() == HttpStatusClass.SUCCESS) {
                msg.headers().remove(HttpHeaderNames.TRANSFER_ENCODING);
                return;
            }
            super.sanitizeHeadersBeforeEncode(msg, isAlwaysEmpty);
        }

        @Override
        protected boolean isContentAlwaysEmpty(HttpResponse msg) {
            if (msg.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
                // A 100 Continue answers no request of its own: the final response still needs its method.
                return super.isContentAlwaysEmpty(msg);
            }
            method = methods.poll();
            return HttpMethod.HEAD.equals(method) || super.isContentAlwaysEmpty(msg);
        }
    }
}
