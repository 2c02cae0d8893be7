package org.sluice.policy.content;

/**
 * A check refused the request: thrown from deep inside decoding or walking and caught once, in
 * {@link CompiledContentCheck#inspect}. It carries no stack trace (it is control flow, not a fault) and never a value
 * from the request.
 */
class ContentRefusal extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String check;

    ContentRefusal(String check, String reason) {
        super(reason, null, false, false);
        this.check = check;
    }

    /** The refusing check's name, as in {@link ContentVerdict#refusedBy()}. */
    String check() {
        return check;
    }

    String reason() {
        return getMessage();
    }
}
