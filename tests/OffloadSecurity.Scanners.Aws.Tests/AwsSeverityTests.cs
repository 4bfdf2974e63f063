using OffloadSecurity.Contracts.Findings;

namespace OffloadSecurity.Scanners.Aws.Tests;

public sealed class AwsSeverityTests
{
    [Theory]
    [InlineData("INFORMATIONAL", Severity.Informational)]
    [InlineData("LOW", Severity.Low)]
    [InlineData("MEDIUM", Severity.Medium)]
    [InlineData("HIGH", Severity.High)]
    [InlineData("CRITICAL", Severity.Critical)]
    [InlineData("high", Severity.High)]
    [InlineData(" Critical ", Severity.Critical)]
    public void Maps_asff_severity_label(string label, Severity expected)
    {
        AwsSeverity.FromAsffLabel(label).ShouldBe(expected);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("SEVERE")]
    [InlineData("UNDEFINED")]
    public void Asff_label_that_is_missing_or_unknown_maps_to_nothing(string? label)
    {
        AwsSeverity.FromAsffLabel(label).ShouldBeNull();
    }

    [Theory]
    [InlineData(0, Severity.Informational)]
    [InlineData(1, Severity.Low)]
    [InlineData(39, Severity.Low)]
    [InlineData(40, Severity.Medium)]
    [InlineData(69, Severity.Medium)]
    [InlineData(70, Severity.High)]
    [InlineData(89, Severity.High)]
    [InlineData(90, Severity.Critical)]
    [InlineData(100, Severity.Critical)]
    [InlineData(-5, Severity.Informational)]
    [InlineData(150, Severity.Critical)]
    public void Maps_asff_normalized_severity_by_the_documented_bands(double normalized, Severity expected)
    {
        AwsSeverity.FromAsffNormalized(normalized).ShouldBe(expected);
    }

    [Theory]
    [InlineData(0.0, Severity.Informational)]
    [InlineData(0.5, Severity.Low)]
    [InlineData(1.0, Severity.Low)]
    [InlineData(3.9, Severity.Low)]
    [InlineData(3.95, Severity.Low)]
    [InlineData(4.0, Severity.Medium)]
    [InlineData(6.9, Severity.Medium)]
    [InlineData(7.0, Severity.High)]
    [InlineData(8.9, Severity.High)]
    [InlineData(9.0, Severity.Critical)]
    [InlineData(10.0, Severity.Critical)]
    public void Maps_guardduty_numeric_severity_by_the_documented_bands(double severity, Severity expected)
    {
        AwsSeverity.FromGuardDuty(severity).ShouldBe(expected);
    }

    [Theory]
    [InlineData("INFORMATIONAL", Severity.Informational)]
    [InlineData("LOW", Severity.Low)]
    [InlineData("MEDIUM", Severity.Medium)]
    [InlineData("HIGH", Severity.High)]
    [InlineData("CRITICAL", Severity.Critical)]
    [InlineData("UNDEFINED", Severity.Informational)]
    [InlineData("UNTRIAGED", Severity.Informational)]
    [InlineData("medium", Severity.Medium)]
    [InlineData(null, Severity.Informational)]
    [InlineData("SOMETHING_NEW", Severity.Informational)]
    public void Maps_ecr_and_inspector_severity(string? severity, Severity expected)
    {
        AwsSeverity.FromEcr(severity).ShouldBe(expected);
    }
}
