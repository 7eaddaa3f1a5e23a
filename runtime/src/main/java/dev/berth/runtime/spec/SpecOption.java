package dev.berth.runtime.spec;

/**
 * One small change to a spec (containerd's {@code SpecOpts}): options compose by
 * {@link #andThen}, and {@link Specs#compose} applies them in order to the default spec.
 */
@FunctionalInterface
public interface SpecOption {
  Spec apply(Spec spec);

  default SpecOption andThen(SpecOption next) {
    return s -> next.apply(apply(s));
  }
}
