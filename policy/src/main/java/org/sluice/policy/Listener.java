package org.sluice.policy;

/** Which listener a request came in on; the policy may treat them differently (allowNetworkAccess). */
public enum Listener {
    /** The reverse-proxy listener: every request goes to the configured central server. */
    GATEWAY,
    /** The HTTP_PROXY/HTTPS_PROXY listener: the request names its own destination. */
    FORWARD
}
