package org.sluice.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.HttpURLConnection;
import java.net.MalformedURLException;
import java.net.Proxy;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.sluice.policy.config.ListenAddress;
import org.sluice.policy.config.SluiceConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code sluice health [--url URL | --config FILE] [--timeout 2s]}: a container health check that needs no curl (a
 * jlink image has none). GET the URL (or the config's admin listener's /readyz), exit 0 on 200 and 1 on anything
 * else, with one line saying why.
 */
@Command(
        name = "health",
        description = {
            "Ask a running Sluice's admin listener whether it is ready, for a container HEALTHCHECK.",
            "",
            "Sends GET URL (direct, never through a proxy) and prints one line: `ok: 200 from URL`, or why not "
                    + "(the status and the first line of the answer, or why the connection failed)."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:the answer was 200",
            "1:any other status, no answer within --timeout, or no connection",
            "2:usage error (a URL that is not http://, a malformed --timeout, a config that cannot be read or has "
                    + "no admin listener)"})
final class HealthCommand implements Callable<Integer> {

    static final String DEFAULT_URL = "http://127.0.0.1:9090/readyz";
    /** Enough of a /readyz answer for its first reason line; the rest is for a human with curl. */
    private static final int MAX_BODY_BYTES = 4096;

    @Option(names = "--url", paramLabel = "URL", defaultValue = DEFAULT_URL,
            description = "Admin endpoint to ask (default: ${DEFAULT-VALUE}); /healthz checks only that the "
                    + "process runs")
    private String url;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "Ask the admin listener (admin.listen) of this config file, at /readyz, instead of --url; "
                    + "0.0.0.0 and :: are asked on loopback")
    private Path configFile;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "2s", converter = TimeoutConverter.class,
            description = "For the connection and for the answer each, e.g. 500ms, 2s (default: ${DEFAULT-VALUE})")
    private Duration timeout;

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (configFile != null) {
            if (spec.commandLine().getParseResult().hasMatchedOption("--url")) {
                err.println("sluice health: give --config and --url not both: --config asks its admin listener");
                err.flush();
                return SluiceCli.USAGE_OR_CONFIG_ERROR;
            }
            SluiceConfig config = PolicyFiles.loadOrReport(configFile, err);
            if (config == null) {
                return SluiceCli.USAGE_OR_CONFIG_ERROR;
            }
            if (config.admin() == null) {
                err.println("sluice health: " + configFile + " has no admin listener (admin.listen), so there is "
                        + "nothing to ask; add admin: {listen: 127.0.0.1:9090} to it, or give --url");
                err.flush();
                return SluiceCli.USAGE_OR_CONFIG_ERROR;
            }
            url = readyzOf(config.admin().listen());
        }
        URL target;
        try {
            URI uri = URI.create(url);
            if (!"http".equals(uri.getScheme()) || uri.getHost() == null) {
                throw new IllegalArgumentException("not an http:// URL with a host");
            }
            target = uri.toURL();
        } catch (IllegalArgumentException | MalformedURLException e) {
            err.println("sluice health: --url " + url + ": " + e.getMessage());
            err.flush();
            return SluiceCli.USAGE_OR_CONFIG_ERROR;
        }
        String line;
        int exitCode;
        HttpURLConnection connection = null;
        try {
            // Never through a proxy: the admin listener is local, and a proxy setting in the JVM must not
            // turn a health check into a request to somewhere else.
            connection = (HttpURLConnection) target.openConnection(Proxy.NO_PROXY);
            connection.setConnectTimeout(millis(timeout));
            connection.setReadTimeout(millis(timeout));
            connection.setInstanceFollowRedirects(false);
            connection.setUseCaches(false);
            int status = connection.getResponseCode();
            if (status == 200) {
                line = "ok: 200 from " + url;
                exitCode = SluiceCli.OK;
            } else {
                String reason = firstLine(status >= 400 ? connection.getErrorStream() : connection.getInputStream());
                line = "unhealthy: " + status + " from " + url + (reason.isEmpty() ? "" : ": " + reason);
                exitCode = SluiceCli.CHECK_FAILED;
            }
        } catch (SocketTimeoutException e) {
            line = "unhealthy: no answer from " + url + " within " + Durations.format(timeout);
            exitCode = SluiceCli.CHECK_FAILED;
        } catch (IOException e) {
            line = "unhealthy: cannot reach " + url + ": " + IoMessages.reason(e);
            exitCode = SluiceCli.CHECK_FAILED;
        } finally {
            if (connection != null) {
                connection.disconnect();
            }
        }
        PrintWriter to = exitCode == SluiceCli.OK ? out : err;
        to.println(line);
        to.flush();
        return exitCode;
    }

    /** The admin listener's /readyz, on loopback when it listens on every address. */
    static String readyzOf(ListenAddress admin) {
        String host = switch (admin.host()) {
            case "0.0.0.0" -> "127.0.0.1";
            case "::", "0:0:0:0:0:0:0:0" -> "::1";
            default -> admin.host();
        };
        return "http://" + Addresses.format(new ListenAddress(host, admin.port())) + "/readyz";
    }

    private static int millis(Duration duration) {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(1, duration.toMillis()));
    }

    /** The answer's first line; after a bare "not ready:" also the next one, the first reason. */
    private static String firstLine(InputStream body) throws IOException {
        if (body == null) {
            return "";
        }
        try (body) {
            String text = new String(body.readNBytes(MAX_BODY_BYTES), StandardCharsets.UTF_8);
            String first = "";
            for (String candidate : text.split("\n")) {
                String trimmed = candidate.strip();
                if (trimmed.isEmpty()) {
                    continue;
                }
                if (first.isEmpty()) {
                    first = trimmed;
                    if (!first.endsWith(":")) {
                        return first;
                    }
                } else {
                    return first + " " + trimmed;
                }
            }
            return first;
        }
    }

    /** 500ms, 2s, 1m: the config file's duration syntax for the few units a health check needs. */
    static final class TimeoutConverter implements ITypeConverter<Duration> {
        private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m)");

        @Override
        public Duration convert(String value) {
            Matcher m = DURATION.matcher(value);
            if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
                throw new TypeConversionException("'" + value + "' is not a positive duration such as 500ms, 2s, 1m");
            }
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                default -> Duration.ofMinutes(n);
            };
        }
    }
}
