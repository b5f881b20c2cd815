package org.kaiku.engine.module;

import java.lang.annotation.ElementType;
import java.lang.annotation.Repeatable;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * States which XMPP extension (or RFC, with {@code number} 0 and {@code spec} set) a module
 * implements, at which version and how completely. The compliance table and the disco#info answer
 * are generated from these, never listed by hand.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@Repeatable(Xep.List.class)
public @interface Xep {
    int number();

    String version();

    Status status();

    /** Free text: what is left out, for the compliance table. */
    String note() default "";

    enum Status { COMPLETE, PARTIAL, PLANNED }

    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.TYPE)
    @interface List {
        Xep[] value();
    }
}
