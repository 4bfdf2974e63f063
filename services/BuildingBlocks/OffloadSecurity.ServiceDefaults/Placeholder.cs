namespace OffloadSecurity.ServiceDefaults;
internal static class Placeholder;
