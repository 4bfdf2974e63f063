using System.Buffers;
using System.Text;
using System.Text.Json;
using OffloadSecurity.Contracts;
using OffloadSecurity.Contracts.Findings;

namespace OffloadSecurity.Inventory.Findings;

/// <summary>
/// Renders a finding as an OCSF 1.1 finding event: Compliance Finding (2003), Detection Finding (2004) or
/// Vulnerability Finding (2002), category Findings (2). Written with <see cref="Utf8JsonWriter"/>: it runs once
/// per change on the ingest path.
/// </summary>
public static class OcsfMapper
{
    public const string Version = "1.1.0";
    public const string ProductName = "Offload Security";

    public static int ClassUid(FindingClass findingClass) => findingClass switch
    {
        FindingClass.Compliance => 2003,
        FindingClass.Detection => 2004,
        FindingClass.Vulnerability => 2002,
        _ => throw new ArgumentOutOfRangeException(nameof(findingClass)),
    };

    private static string ClassName(FindingClass findingClass) => findingClass switch
    {
        FindingClass.Compliance => "Compliance Finding",
        FindingClass.Detection => "Detection Finding",
        _ => "Vulnerability Finding",
    };

    /// <summary>OCSF finding activity: 1 Create, 2 Update, 3 Close; 99 Other for a snapshot (export) that is no change.</summary>
    public static int ActivityId(FindingChangeKind? kind) => kind switch
    {
        FindingChangeKind.Created => 1,
        FindingChangeKind.Resolved => 3,
        null => 99,
        _ => 2,
    };

    /// <summary>OCSF status_id: 1 New, 2 In Progress, 3 Suppressed, 4 Resolved.</summary>
    public static (int Id, string Name) Status(FindingRecord finding) => finding.EffectiveStatus switch
    {
        nameof(FindingStatus.Resolved) => (4, "Resolved"),
        nameof(WorkflowState.Acknowledged) => (2, "In Progress"),
        nameof(WorkflowState.Suppressed) or nameof(WorkflowState.RiskAccepted) => (3, "Suppressed"),
        _ => (1, "New"),
    };

    private static string ProviderName(CloudProvider provider) => provider switch
    {
        CloudProvider.Aws => "AWS",
        CloudProvider.Azure => "Azure",
        CloudProvider.Gcp => "GCP",
        CloudProvider.Kubernetes => "Kubernetes",
        _ => "Registry",
    };

    /// <summary>A buffer and writer per thread, reused: rendering a change then allocates only the string it returns.</summary>
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? _buffer;

    [ThreadStatic]
    private static Utf8JsonWriter? _writer;

    public static string ToJson(string tenantId, FindingRecord f, string? rawJson, FindingChangeKind? kind, DateTimeOffset at)
    {
        var buffer = _buffer ??= new ArrayBufferWriter<byte>(16 * 1024);
        buffer.ResetWrittenCount();
        var w = _writer ??= new Utf8JsonWriter(buffer);
        w.Reset(buffer);
        Write(w, tenantId, f, rawJson, kind, at);
        w.Flush();
        var json = Encoding.UTF8.GetString(buffer.WrittenSpan);
        if (buffer.Capacity > 1024 * 1024)
        {
            // A provider's raw JSON can be large; do not keep a buffer that size for every thread.
            _buffer = null;
            _writer = null;
        }

        return json;
    }

    public static void Write(Utf8JsonWriter w, string tenantId, FindingRecord f, string? rawJson, FindingChangeKind? kind, DateTimeOffset at)
    {
        var classUid = ClassUid(f.Class);
        var activity = ActivityId(kind);
        var (statusId, status) = Status(f);
        w.WriteStartObject();
        w.WriteNumber("category_uid", 2);
        w.WriteString("category_name", "Findings");
        w.WriteNumber("class_uid", classUid);
        w.WriteString("class_name", ClassName(f.Class));
        w.WriteNumber("activity_id", activity);
        w.WriteString("activity_name", activity switch { 1 => "Create", 3 => "Close", 99 => "Other", _ => "Update" });
        w.WriteNumber("type_uid", classUid * 100 + activity);
        w.WriteNumber("time", at.ToUnixTimeMilliseconds());
        w.WriteNumber("severity_id", f.SeverityId);
        w.WriteString("severity", f.Severity.ToString());
        w.WriteNumber("status_id", statusId);
        w.WriteString("status", status);
        w.WriteString("message", f.Title);

        w.WriteStartObject("finding_info");
        w.WriteString("uid", f.Fingerprint);
        w.WriteString("title", f.Title);
        WriteIfNotNull(w, "desc", f.Description);
        w.WriteNumber("first_seen_time", f.FirstSeen.ToUnixTimeMilliseconds());
        w.WriteNumber("last_seen_time", f.LastSeen.ToUnixTimeMilliseconds());
        w.WriteNumber("modified_time", at.ToUnixTimeMilliseconds());
        w.WriteString("product_uid", f.Source);
        WriteIfNotNull(w, "src_url", f.RemediationUrl);
        w.WriteStartArray("types");
        w.WriteStringValue(f.Source);
        w.WriteEndArray();
        w.WriteEndObject();

        if (f.Remediation is not null || f.RemediationUrl is not null)
        {
            w.WriteStartObject("remediation");
            w.WriteString("desc", f.Remediation ?? f.RemediationUrl);
            if (f.RemediationUrl is not null)
            {
                w.WriteStartArray("references");
                w.WriteStringValue(f.RemediationUrl);
                w.WriteEndArray();
            }

            w.WriteEndObject();
        }

        w.WriteStartArray("resources");
        w.WriteStartObject();
        w.WriteString("uid", f.Resource.Id);
        w.WriteString("type", f.Resource.Type);
        WriteIfNotNull(w, "name", f.Resource.Name);
        WriteIfNotNull(w, "region", f.Resource.Region ?? f.Region);
        if (f.Resource.Tags.Count > 0)
        {
            w.WriteStartArray("labels");
            foreach (var (key, value) in f.Resource.Tags)
            {
                w.WriteStringValue($"{key}={value}");
            }

            w.WriteEndArray();
        }

        w.WriteEndObject();
        w.WriteEndArray();

        w.WriteStartObject("cloud");
        w.WriteString("provider", ProviderName(f.Provider));
        WriteIfNotNull(w, "region", f.Region);
        w.WriteStartObject("account");
        w.WriteString("uid", f.CloudAccountId ?? f.AccountId.ToString());
        w.WriteEndObject();
        w.WriteEndObject();

        w.WriteStartObject("metadata");
        w.WriteString("version", Version);
        w.WriteString("uid", f.NativeId);
        w.WriteString("tenant_uid", tenantId);
        w.WriteString("log_provider", f.Source);
        w.WriteStartObject("product");
        w.WriteString("name", ProductName);
        w.WriteString("vendor_name", ProductName);
        w.WriteStartObject("feature");
        w.WriteString("name", f.ProductName ?? f.Source);
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndObject();

        if (f.Class == FindingClass.Compliance || f.Compliance.Count > 0)
        {
            w.WriteStartObject("compliance");
            w.WriteString("status", f.Status == FindingStatus.Resolved ? "Pass" : "Fail");
            if (f.Compliance.Count > 0)
            {
                w.WriteString("control", f.Compliance[0].Requirement);
            }

            w.WriteStartArray("requirements");
            foreach (var requirement in f.Compliance)
            {
                w.WriteStringValue(requirement.Requirement);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        if (f.Vulnerabilities.Count > 0)
        {
            w.WriteStartArray("vulnerabilities");
            foreach (var v in f.Vulnerabilities)
            {
                w.WriteStartObject();
                w.WriteString("title", v.Id);
                w.WriteStartObject("cve");
                w.WriteString("uid", v.Id);
                if (v.CvssScore is { } score)
                {
                    w.WriteStartArray("cvss");
                    w.WriteStartObject();
                    w.WriteNumber("base_score", score);
                    w.WriteEndObject();
                    w.WriteEndArray();
                }

                w.WriteEndObject();
                if (v.Package is not null)
                {
                    w.WriteStartArray("affected_packages");
                    w.WriteStartObject();
                    w.WriteString("name", v.Package);
                    WriteIfNotNull(w, "version", v.InstalledVersion);
                    WriteIfNotNull(w, "fixed_in_version", v.FixedVersion);
                    w.WriteEndObject();
                    w.WriteEndArray();
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        w.WriteStartObject("unmapped");
        if (kind is not null)
        {
            w.WriteString("offload_change", kind.Value.ToString());
        }

        w.WriteString("offload_status", f.Status.ToString());
        w.WriteString("offload_account_id", f.AccountId.ToString());
        w.WriteString("offload_last_scan_id", f.LastScanId.ToString());
        if (f.ResolvedAt is { } resolvedAt)
        {
            w.WriteNumber("offload_resolved_time", resolvedAt.ToUnixTimeMilliseconds());
        }

        if (f.Workflow is { } workflow)
        {
            w.WriteStartObject("offload_workflow");
            w.WriteString("state", workflow.State.ToString());
            WriteIfNotNull(w, "note", workflow.Note);
            w.WriteString("by", workflow.By);
            w.WriteNumber("time", workflow.At.ToUnixTimeMilliseconds());
            if (workflow.ExpiresAt is { } expires)
            {
                w.WriteNumber("expires_time", expires.ToUnixTimeMilliseconds());
            }

            w.WriteEndObject();
        }

        w.WriteEndObject();
        if (!string.IsNullOrEmpty(rawJson))
        {
            w.WriteString("raw_data", rawJson);
        }

        w.WriteEndObject();
    }

    private static void WriteIfNotNull(Utf8JsonWriter w, string name, string? value)
    {
        if (value is not null)
        {
            w.WriteString(name, value);
        }
    }
}
