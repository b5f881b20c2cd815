package org.kaiku.engine.serialization;

/**
 * Marker for messages, events and state that cross nodes or reach the journal. Bound to
 * Jackson CBOR in engine's reference.conf; Java serialization is never used.
 */
public interface CborSerializable {
}
