package org.kaiku.protocol.sasl;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * Channel-binding data of one type for one TLS connection (RFC 5056), as carried in the SCRAM
 * cbind-input (RFC 5802 section 7). The type is a registered channel-binding name such as
 * {@value ChannelBindings#TLS_SERVER_END_POINT}. The array is copied in and out.
 */
public record ChannelBinding(String type, byte[] data) {

    public ChannelBinding {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(data, "data");
        if (type.isEmpty()) {
            throw new IllegalArgumentException("empty channel-binding type");
        }
        data = data.clone();
    }

    @Override
    public byte[] data() {
        return data.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ChannelBinding c && type.equals(c.type) && Arrays.equals(data, c.data);
    }

    @Override
    public int hashCode() {
        return 31 * type.hashCode() + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "ChannelBinding[" + type + ", " + HexFormat.of().formatHex(data) + "]";
    }
}
