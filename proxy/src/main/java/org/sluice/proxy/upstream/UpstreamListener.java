package org.sluice.proxy.upstream;

/** The exchange that currently owns a pooled upstream connection hears that connection's events. */
public interface UpstreamListener {
    /** A decoded response part; ownership passes to the listener. */
    void upstreamRead(Object msg);

    void upstreamReadComplete();

    void upstreamWritabilityChanged(boolean writable);

    /** Writing to the connection failed but it can still be read: an answer may be on its way. */
    void upstreamWriteFailed();

    /** The connection closed or failed; {@code cause} is null for a plain close. */
    void upstreamClosed(Throwable cause);
}
