namespace OffloadSecurity.Testing;
internal static class Placeholder;
