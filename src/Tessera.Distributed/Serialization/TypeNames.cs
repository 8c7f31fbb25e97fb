using System.Text;

namespace Tessera.Distributed.Serialization;

/// <summary>Human-readable type names for messages: <c>System.Collections.Generic.List&lt;int&gt;</c>, <c>double[]</c>.</summary>
internal static class TypeNames
{
    private static readonly Dictionary<Type, string> s_keywords = new()
    {
        [typeof(bool)] = "bool",
        [typeof(byte)] = "byte",
        [typeof(sbyte)] = "sbyte",
        [typeof(short)] = "short",
        [typeof(ushort)] = "ushort",
        [typeof(int)] = "int",
        [typeof(uint)] = "uint",
        [typeof(long)] = "long",
        [typeof(ulong)] = "ulong",
        [typeof(float)] = "float",
        [typeof(double)] = "double",
        [typeof(decimal)] = "decimal",
        [typeof(char)] = "char",
        [typeof(string)] = "string",
        [typeof(object)] = "object",
    };

    public static string Display(Type type)
    {
        var sb = new StringBuilder();
        Append(sb, type);
        return sb.ToString();
    }

    /// <summary>Describes a value's type with its size where that helps (<c>double[100000]</c>).</summary>
    public static string DescribeValue(object? value)
    {
        if (value is null)
        {
            return "null";
        }

        if (value is Array a && a.Rank == 1)
        {
            string element = Display(a.GetType().GetElementType()!);
            int bracket = element.IndexOf('[', StringComparison.Ordinal);
            return bracket < 0 ? $"{element}[{a.Length}]" : $"{element[..bracket]}[{a.Length}]{element[bracket..]}";
        }

        if (value is System.Collections.ICollection c)
        {
            return $"{Display(value.GetType())} ({c.Count} items)";
        }

        return Display(value.GetType());
    }

    private static void Append(StringBuilder sb, Type type)
    {
        if (s_keywords.TryGetValue(type, out string? keyword))
        {
            sb.Append(keyword);
            return;
        }

        if (type.IsArray)
        {
            Append(sb, type.GetElementType()!);
            sb.Append('[').Append(',', type.GetArrayRank() - 1).Append(']');
            return;
        }

        if (!type.IsGenericType)
        {
            sb.Append((type.FullName ?? type.Name).Replace('+', '.'));
            return;
        }

        string name = type.GetGenericTypeDefinition().FullName ?? type.Name;
        int tick = name.IndexOf('`', StringComparison.Ordinal);
        sb.Append((tick < 0 ? name : name[..tick]).Replace('+', '.'));
        if (type.IsConstructedGenericType)
        {
            sb.Append('<');
            Type[] args = type.GetGenericArguments();
            for (int i = 0; i < args.Length; i++)
            {
                if (i > 0)
                {
                    sb.Append(", ");
                }

                Append(sb, args[i]);
            }

            sb.Append('>');
        }
    }
}
