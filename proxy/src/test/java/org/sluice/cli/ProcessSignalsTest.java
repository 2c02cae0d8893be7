package org.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * The handler that {@code run} installs for SIGHUP, called directly: no signal is sent to the test JVM, and
 * the handlers found are put back.
 */
class ProcessSignalsTest {

    @Test
    void sighupHasAHandlerThatAsksForAReloadInsteadOfEndingTheJvm() {
        Signal hup = new Signal("HUP");
        List<String> received = new CopyOnWriteArrayList<>();

        ProcessSignals signals = ProcessSignals.install(received::add);
        try {
            // Swap a harmless handler in for a moment, to get hold of the one install() put there.
            SignalHandler installed = Signal.handle(hup, SignalHandler.SIG_IGN);
            Signal.handle(hup, installed);
            assumeThat(installed).as("HUP is ignored in this JVM (nohup), so nothing can be installed")
                    .isNotSameAs(SignalHandler.SIG_IGN);

            installed.handle(hup);
        } finally {
            signals.close();
        }

        assertThat(received).containsExactly("HUP");
    }
}
