using System.Reflection;
using Tessera.Graphs;

namespace Tessera.DataFrames.Expressions;

/// <summary>
/// Runs a chain of partition-wise steps as one task (fusion): the task's arguments are a program of
/// plain data (step names, input slots, literal arguments) and the input partitions, so it travels to
/// worker processes like any other task. Steps are this library's own static task functions, found
/// by name in <see cref="CanFuse"/>'s table on both sides.
/// </summary>
internal static class Fusion
{
    public static readonly TaskFunction Run = TaskFunction.Create<object[], Table[], Table>(Execute, "fused");

    private static readonly Lazy<(Dictionary<string, TaskFunction> ByName, Dictionary<TaskFunction, string> Names)> s_table = new(Build);

    public static bool CanFuse(TaskFunction function) => s_table.Value.Names.ContainsKey(function);

    public static string NameOf(TaskFunction function) => s_table.Value.Names[function];

    /// <summary>A program: for each step its function's name, its input slots and its literal arguments.</summary>
    public static object[] Program(IReadOnlyList<(TaskFunction Function, int[] Inputs, object?[] Args)> steps) =>
        [steps.Select(s => NameOf(s.Function)).ToArray(), steps.Select(s => s.Inputs).ToArray(), steps.Select(s => s.Args).ToArray()];

    /// <summary>Slots 0..n-1 are the inputs; step k writes slot n + k; the last slot is the result.</summary>
    private static Table Execute(object[] program, Table[] inputs)
    {
        string[] names = (string[])program[0];
        int[][] slotsOf = (int[][])program[1];
        object?[][] args = (object?[][])program[2];
        var slots = new Table?[inputs.Length + names.Length];
        inputs.CopyTo(slots, 0);
        int[] lastUse = new int[slots.Length];
        for (int k = 0; k < names.Length; k++)
        {
            foreach (int s in slotsOf[k])
            {
                lastUse[s] = k;
            }
        }

        Dictionary<string, TaskFunction> table = s_table.Value.ByName;
        for (int k = 0; k < names.Length; k++)
        {
            if (!table.TryGetValue(names[k], out TaskFunction? fn))
            {
                throw new InvalidOperationException($"fused task: unknown step '{names[k]}'; the worker runs another version of Tessera.DataFrames.");
            }

            var call = new object?[slotsOf[k].Length + args[k].Length];
            for (int j = 0; j < slotsOf[k].Length; j++)
            {
                call[j] = slots[slotsOf[k][j]];
            }

            args[k].CopyTo(call, slotsOf[k].Length);
            slots[inputs.Length + k] = (Table)fn.Invoke(call)!;
            foreach (int s in slotsOf[k])
            {
                if (lastUse[s] == k)
                {
                    slots[s] = null;
                }
            }
        }

        return slots[^1] ?? throw new InvalidOperationException("fused task: the program has no steps.");
    }

    /// <summary>Every static <see cref="TaskFunction"/> field of this assembly that maps tables to a table.</summary>
    private static (Dictionary<string, TaskFunction>, Dictionary<TaskFunction, string>) Build()
    {
        var byName = new Dictionary<string, TaskFunction>(StringComparer.Ordinal);
        var names = new Dictionary<TaskFunction, string>(ReferenceEqualityComparer.Instance);
        foreach (Type type in typeof(Fusion).Assembly.GetTypes())
        {
            if (type.IsGenericTypeDefinition || type == typeof(Fusion))
            {
                continue;
            }

            foreach (FieldInfo field in type.GetFields(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                if (field.FieldType == typeof(TaskFunction) && field.IsInitOnly && field.GetValue(null) is TaskFunction { ReturnType: var r } fn && r == typeof(Table))
                {
                    string name = type.FullName + "." + field.Name;
                    byName[name] = fn;
                    names.TryAdd(fn, name);
                }
            }
        }

        return (byName, names);
    }
}
