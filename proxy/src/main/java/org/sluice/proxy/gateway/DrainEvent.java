package org.sluice.proxy.gateway;

/** Fired on every gateway connection when shutdown begins: idle ones close, busy ones close after their response. */
public final class DrainEvent {
    public static final DrainEvent INSTANCE = new DrainEvent();

    private DrainEvent() {
    }
}
