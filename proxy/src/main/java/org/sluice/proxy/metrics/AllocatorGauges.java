package org.sluice.proxy.metrics;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetric;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.buffer.PooledByteBufAllocator;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;

/** {@code sluice_netty_allocator_used_{direct,heap}_bytes}: the memory Netty's buffer allocator holds, at each scrape. */
final class AllocatorGauges {
    private AllocatorGauges() {
    }

    static void register(ByteBufAllocatorMetricProvider allocator, PrometheusRegistry registry) {
        ByteBufAllocatorMetric memory = allocator.metric();
        GaugeWithCallback.builder()
                .name("sluice_netty_allocator_used_direct_bytes")
                .help("Direct memory held by the Netty buffer allocator")
                .unit(Unit.BYTES)
                .callback(cb -> cb.call(memory.usedDirectMemory()))
                .register(registry);
        GaugeWithCallback.builder()
                .name("sluice_netty_allocator_used_heap_bytes")
                .help("Heap memory held by the Netty buffer allocator")
                .unit(Unit.BYTES)
                .callback(cb -> cb.call(memory.usedHeapMemory()))
                .register(registry);
    }

    /** Netty 4.2 defaults to the adaptive allocator; the one channels actually get is the one reported. */
    static ByteBufAllocatorMetricProvider defaultAllocator() {
        return ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider provider
                ? provider
                : PooledByteBufAllocator.DEFAULT;
    }
}
