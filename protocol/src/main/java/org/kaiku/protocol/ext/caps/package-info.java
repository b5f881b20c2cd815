/** XEP-0115 Entity Capabilities: the {@code <c/>} annotation and the verification string. */
package org.kaiku.protocol.ext.caps;
