using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;

namespace OffloadSecurity.ServiceDefaults.OpenApi;

/// <summary>
/// Every service describes its API in one OpenAPI document at <see cref="DocumentPath"/>, with the bearer scheme
/// its endpoints require. The gateway merges the services' documents into the public one.
/// </summary>
public static class OpenApiDefaults
{
    public const string DocumentName = "v1";
    public const string DocumentPath = "/openapi/v1.json";
    public const string BearerScheme = "bearer";

    internal static IServiceCollection AddOffloadOpenApi(this IServiceCollection services) =>
        services.AddOpenApi(DocumentName, options => options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "Offload Security API";
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                BearerFormat = "JWT",
                Description = "A token of the platform's issuer: tenant in the `tenant` claim, roles in `role`.",
            };
            document.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, document)] = [] }];
            return Task.CompletedTask;
        }));

    internal static IEndpointConventionBuilder MapOffloadOpenApi(this WebApplication app) =>
        app.MapOpenApi(DocumentPath).AllowAnonymous();
}
