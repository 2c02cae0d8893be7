package org.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AuditCommandTest {

    @Test
    void withoutASubcommandItSaysWhichThereAre() {
        CliResult result = CliResult.execute("audit");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).startsWith("sluice audit: missing command (").contains("verify", "summary", "tail")
                .contains("Usage: sluice audit");
        assertThat(result.out()).isEmpty();
    }

    @Test
    void everySubcommandExplainsItsOutputAndExitCodes() {
        CliResult verify = CliResult.execute("audit", "verify", "--help");
        CliResult summary = CliResult.execute("audit", "summary", "--help");
        CliResult tail = CliResult.execute("audit", "tail", "--help");

        assertThat(verify.exitCode()).isZero();
        assertThat(verify.out()).startsWith("Usage: sluice audit verify").contains("--key=PUBKEY", "FILE...")
                .contains("Exits 0 when intact, 1 on damage");
        assertThat(summary.exitCode()).isZero();
        assertThat(summary.out()).startsWith("Usage: sluice audit summary").contains("--by=job|client|host|rule|day")
                .contains("--format=table|json|csv");
        assertThat(tail.exitCode()).isZero();
        assertThat(tail.out()).startsWith("Usage: sluice audit tail").contains("-f, --follow", "-n, --lines=N");
        assertThat(CliResult.execute("audit", "--help").out())
                .containsPattern("(?m)^\\s+verify\\s+Check that audit files are complete and unchanged")
                .containsPattern("(?m)^\\s+summary\\s+Count requests and bytes")
                .containsPattern("(?m)^\\s+tail\\s+Show the last requests");
    }
}
