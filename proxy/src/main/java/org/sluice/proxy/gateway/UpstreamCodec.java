package org.sluice.proxy.gateway;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.ArrayDeque;
import java.util.List;

/**
 * The HTTP/1.1 codec of every upstream connection. Requests go out through Netty's encoder, an allowed head's
 * fields written from its bytes ({@link IndexedHeaders#writeTo}). Responses come in through Sluice's own reader:
 * the head by {@link ResponseHeadParser} (only framing and limits are interpreted; the fields stay bytes), the body
 * by {@link BodyFramer}. A response whose body arrived with its head (or that has none) is passed on as one message,
 * so that it goes to the client in one write. The methods of the requests sent are queued, so that the answer to a
 * HEAD is known to have no body.
 */
public final class UpstreamCodec extends CombinedChannelDuplexHandler<ByteToMessageDecoder, HttpRequestEncoder> {
    private final ArrayDeque<HttpMethod> methods = new ArrayDeque<>(2);

    /**
     * @param maxLine   the longest status line or chunk size line, in bytes
     * @param maxFields the most bytes of header lines (and of trailer lines)
     * @param maxPart   the largest body part passed on at once
     */
    public UpstreamCodec(int maxLine, int maxFields, int maxPart) {
        init(new ResponseDecoder(maxLine, maxFields, maxPart), new RequestEncoder());
    }

    private final class RequestEncoder extends HttpRequestEncoder {
        @Override
        protected void encodeInitialLine(ByteBuf buf, HttpRequest request) throws Exception {
            methods.add(request.method());
            super.encodeInitialLine(buf, request);
        }

        @Override
        protected void encodeHeaders(HttpHeaders headers, ByteBuf buf) {
            if (!IndexedHeaders.writeIfIndexed(headers, buf)) {
                super.encodeHeaders(headers, buf);
            }
        }
    }

    /**
     * Frames responses. A head or a body that fails becomes a failed part (the relay answers 502 and drops the
     * connection), and nothing after it is read. A body cut short by the connection's end is not completed: the
     * relay sees the close. A body without a length ends with the connection.
     */
    private final class ResponseDecoder extends FramingDecoder {
        private final ResponseHeadParser heads;
        private final int maxPart;

        ResponseDecoder(int maxLine, int maxFields, int maxPart) {
            super(new BodyFramer(maxLine, maxFields, maxPart, BodyFramer.Trailers.DROP));
            this.heads = new ResponseHeadParser(maxLine, maxFields);
            this.maxPart = maxPart;
        }

        @Override
        void head(ByteBuf in, List<Object> out) {
            ResponseHead head;
            try {
                int length = heads.headLength(in);
                if (length == 0) {
                    return;
                }
                byte[] bytes = new byte[length];
                in.readBytes(bytes);
                head = heads.parse(bytes);
            } catch (ResponseHeadParser.Malformed e) {
                fail(in, out, e.getMessage());
                return;
            }
            int code = head.status().code();
            HttpMethod method = code < 200 ? methods.peek() : methods.poll();
            if (code == 101) {
                fail(in, out, "it switches protocols (101), which Sluice never asks for");
                return;
            }
            IndexedHeaders headers = new IndexedHeaders(head);
            long length = head.contentLength();
            if (code < 200 || code == 204 || code == 304 || HttpMethod.HEAD.equals(method) || length == 0) {
                out.add(whole(head, headers, Unpooled.EMPTY_BUFFER));
            } else if (length > 0 && length <= maxPart && in.readableBytes() >= length) {
                out.add(whole(head, headers, in.readRetainedSlice((int) length)));
            } else {
                out.add(new DefaultHttpResponse(head.version(), head.status(), headers));
                if (head.chunked()) {
                    body.chunked();
                } else if (length > 0) {
                    body.fixed(length);
                } else {
                    body.untilClose();
                }
                bodyFollows();
            }
        }

        /** A response whose body is all here (or that has none): one message, so one write to the client. */
        private static FullHttpResponse whole(ResponseHead head, IndexedHeaders headers, ByteBuf body) {
            return new DefaultFullHttpResponse(head.version(), head.status(), body, headers,
                    EmptyHttpHeaders.INSTANCE);
        }

        private void fail(ByteBuf in, List<Object> out, String problem) {
            discard(in);
            out.add(BodyFramer.failedPart(problem));
        }

        @Override
        protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
            super.decodeLast(ctx, in, out);
            if (inBodyUntilClose()) {
                discard(in);
                out.add(LastHttpContent.EMPTY_LAST_CONTENT);
            }
        }
    }
}
