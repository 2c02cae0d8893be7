package org.sluice.proxy.gateway;

import io.netty.buffer.ByteBuf;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpStatusClass;
import java.util.ArrayDeque;

/**
 * The listeners' HTTP/1.1 codec: Sluice's own strict request decoder ({@link StrictRequestDecoder}), and Netty's
 * response encoder told which requests were HEAD or CONNECT, as {@code HttpServerCodec} does.
 */
final class StrictServerCodec extends CombinedChannelDuplexHandler<StrictRequestDecoder, HttpResponseEncoder> {
    private final ArrayDeque<HttpMethod> methods = new ArrayDeque<>(2);

    /**
     * @param maxLine   the longest request line, in bytes
     * @param maxFields the most bytes of header lines
     * @param maxPart   the largest body part passed on at once
     */
    StrictServerCodec(int maxLine, int maxFields, int maxPart) {
        init(new StrictRequestDecoder(maxLine, maxFields, maxPart, methods::add), new ServerResponseEncoder());
    }

    /** Removes the request decoder only (a CONNECT's tunnel bytes follow); what it held is passed on raw. */
    void stopDecoding() {
        removeInboundHandler();
    }

    private final class ServerResponseEncoder extends HttpResponseEncoder {
        private HttpMethod method;

        /** A relayed response's fields go out from the bytes they came in ({@link IndexedHeaders#writeTo}). */
        @Override
        protected void encodeHeaders(HttpHeaders headers, ByteBuf buf) {
            if (!IndexedHeaders.writeIfIndexed(headers, buf)) {
                super.encodeHeaders(headers, buf);
            }
        }

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
