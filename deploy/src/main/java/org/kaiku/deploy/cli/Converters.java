package org.kaiku.deploy.cli;

import org.kaiku.deploy.config.DeploySettings;
import org.kaiku.deploy.config.StartupException;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Flag value checks done while parsing, so a typo fails before anything starts. */
final class Converters {
    private Converters() {
    }

    static int port(String value, int min) {
        int port;
        try {
            port = Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            throw new TypeConversionException("'" + value + "' is not a port number (" + min + " to 65535)");
        }
        if (port < min || port > 65535) {
            throw new TypeConversionException(port + " is not a port number (" + min + " to 65535)");
        }
        return port;
    }

    /** A listening port; 0 lets the system pick a free one. */
    static final class ListenPort implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            return port(value, 0);
        }
    }

    /** The direct-TLS port: 0 picks a free one, -1 disables the listener. */
    static final class TlsPort implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            return port(value, -1);
        }
    }

    /** A port to connect to. */
    static final class ConnectPort implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            return port(value, 1);
        }
    }

    /** One {@code HOST:PORT} cluster address of a seed node. */
    static final class SeedNode implements ITypeConverter<String> {
        @Override
        public String convert(String value) {
            try {
                DeploySettings.checkHostPort(DeploySettings.SEED_NODES, value.strip());
            } catch (StartupException e) {
                throw new TypeConversionException(e.problem());
            }
            return value.strip();
        }
    }

    /** One {@code HOST:PORT} Cassandra contact point. */
    static final class HostPort implements ITypeConverter<String> {
        @Override
        public String convert(String value) {
            try {
                DeploySettings.checkHostPort(DeploySettings.CONTACT_POINTS, value.strip());
            } catch (StartupException e) {
                throw new TypeConversionException(e.problem());
            }
            return value.strip();
        }
    }

    /** One {@code HOST:PORT} management endpoint of a node, for Cluster Bootstrap. */
    static final class ContactPoint implements ITypeConverter<String> {
        @Override
        public String convert(String value) {
            try {
                DeploySettings.checkHostPort("kaiku.cluster.bootstrap.contact-points", value.strip());
            } catch (StartupException e) {
                throw new TypeConversionException(e.problem());
            }
            return value.strip();
        }
    }
}
