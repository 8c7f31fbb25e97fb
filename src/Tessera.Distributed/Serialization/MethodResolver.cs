using System.Reflection;

namespace Tessera.Distributed.Serialization;

/// <summary>Finds the method a shipped delegate calls: by metadata token in user code (whose build is MVID-checked), by name and signature elsewhere.</summary>
internal static class MethodResolver
{
    private const BindingFlags All = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    public static MethodInfo Resolve(Type declaring, int token, string name, Type[]? parameters, Type[]? genericArguments)
    {
        MethodInfo? method = TypeAllowList.GetOrigin(declaring.Assembly) == AssemblyOrigin.User && parameters is null
            ? ByToken(declaring, token, name)
            : BySignature(declaring, name, parameters ?? [], genericArguments);

        if (method is null)
        {
            throw NotFound(declaring, name, token);
        }

        if (genericArguments is not null && method.IsGenericMethodDefinition)
        {
            try
            {
                method = method.MakeGenericMethod(genericArguments);
            }
            catch (ArgumentException)
            {
                throw NotFound(declaring, name, token);
            }
        }

        return method;
    }

    private static MethodInfo? ByToken(Type declaring, int token, string name)
    {
        Type definition = declaring.IsConstructedGenericType ? declaring.GetGenericTypeDefinition() : declaring;
        MethodBase? method;
        try
        {
            method = definition.Module.ResolveMethod(token);
        }
        catch (ArgumentException)
        {
            return null;
        }

        if (method is not MethodInfo info || info.Name != name || (info.DeclaringType != definition && info.DeclaringType != declaring))
        {
            return null;
        }

        if (declaring.IsConstructedGenericType)
        {
            info = (MethodInfo)MethodBase.GetMethodFromHandle(info.MethodHandle, declaring.TypeHandle)!;
        }

        return info;
    }

    private static MethodInfo? BySignature(Type declaring, string name, Type[] parameters, Type[]? genericArguments)
    {
        foreach (MethodInfo candidate in declaring.GetMethods(All))
        {
            if (candidate.Name != name || candidate.GetParameters().Length != parameters.Length
                || candidate.IsGenericMethodDefinition != (genericArguments is not null)
                || (genericArguments is not null && candidate.GetGenericArguments().Length != genericArguments.Length))
            {
                continue;
            }

            MethodInfo closed = candidate;
            if (genericArguments is not null)
            {
                try
                {
                    closed = candidate.MakeGenericMethod(genericArguments);
                }
                catch (ArgumentException)
                {
                    continue;
                }
            }

            ParameterInfo[] ps = closed.GetParameters();
            bool match = true;
            for (int i = 0; i < ps.Length && match; i++)
            {
                match = ps[i].ParameterType == parameters[i];
            }

            if (match)
            {
                return candidate;
            }
        }

        return null;
    }

    private static FunctionSerializationException NotFound(Type declaring, string name, int token) =>
        new("fn", $"method {TypeNames.Display(declaring)}.{name} (token 0x{token:x8}) not found on worker; client and worker must run the same build.");
}
