using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace Tessera.Graphs;

/// <summary>
/// A reference to the function a task calls: a delegate plus a display name.
/// </summary>
/// <remarks>
/// Tasks hold functions as data, not as opaque closures: <see cref="Delegate"/> exposes the method
/// identity (<see cref="Delegate.Method"/>) and captured state (<see cref="Delegate.Target"/>) that
/// the tokenizer hashes and that a serializer can ship to another process. Local schedulers call
/// <see cref="Invoke"/>, a typed call with no reflection on the hot path.
/// </remarks>
public abstract partial class TaskFunction
{
    private string? _token;

    private protected TaskFunction(Delegate function, string? name)
    {
        ArgumentNullException.ThrowIfNull(function);
        Delegate = function;
        Name = string.IsNullOrEmpty(name) ? DisplayName(function.Method) : name;
    }

    /// <summary>Gets the delegate the task calls.</summary>
    public Delegate Delegate { get; }

    /// <summary>
    /// Gets the function's display name: the method name, <c>lambda</c> for anonymous functions,
    /// or the name given when the function was created. Key names start with it.
    /// </summary>
    public string Name { get; }

    /// <summary>Gets what the function may do with its arguments after it returns (see <see cref="Graphs.ArgumentUse"/>); <see cref="ArgumentUse.Unknown"/> unless declared.</summary>
    internal ArgumentUse ArgumentUse { get; private set; }

    /// <summary>Gets whether the function's result is memory it allocated that nothing else holds (a new block), as declared.</summary>
    internal bool ReturnsFreshMemory { get; private set; }

    /// <summary>Gets the number of arguments the function takes.</summary>
    public abstract int Arity { get; }

    /// <summary>Gets the type of the value the function returns.</summary>
    public abstract Type ReturnType { get; }

    /// <summary>Gets the deterministic token of this function (see <see cref="Tokenizer"/>), computed once.</summary>
    internal string Token => _token ??= Tokenizer.Tokenize(Delegate);

    /// <summary>Calls the function with already evaluated arguments.</summary>
    /// <param name="args">The arguments, exactly <see cref="Arity"/> of them.</param>
    /// <returns>The function's result, boxed.</returns>
    public abstract object? Invoke(ReadOnlySpan<object?> args);

    /// <summary>Wraps any delegate; calls go through reflection. Prefer the typed overloads of <c>Create</c>.</summary>
    /// <param name="function">The delegate.</param>
    /// <param name="name">An optional display name.</param>
    /// <returns>The function reference.</returns>
    public static TaskFunction FromDelegate(Delegate function, string? name = null) => new ReflectionFunction(function, name);

    /// <inheritdoc/>
    public override string ToString() => Name;

    /// <summary>
    /// Declares what the function does with memory, for the local schedulers' recycling of dead
    /// results (<see cref="Scheduling.IRecyclable"/>): what it may keep of its arguments, and whether
    /// its result is fresh memory that nothing else holds. Only for a library's own functions, whose
    /// code is known; a wrong declaration lets a buffer be reused while something still reads it.
    /// </summary>
    internal TaskFunction Declare(ArgumentUse arguments, bool returnsFreshMemory = false)
    {
        ArgumentUse = arguments;
        ReturnsFreshMemory = returnsFreshMemory;
        return this;
    }

    private protected void CheckArity(ReadOnlySpan<object?> args)
    {
        if (args.Length != Arity)
        {
            ThrowArity(args.Length);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private protected T Arg<T>(object? value, int position)
    {
        if (value is T t)
        {
            return t;
        }

        if (value is null && default(T) is null)
        {
            return default!;
        }

        return ThrowBadArgument<T>(value, position);
    }

    [DoesNotReturn]
    private void ThrowArity(int given) =>
        throw new ArgumentException($"Function '{Name}' takes {Arity} argument(s) but the task passes {given}; fix the task's argument list.");

    [DoesNotReturn]
    private T ThrowBadArgument<T>(object? value, int position) =>
        throw new InvalidCastException(
            $"Function '{Name}' expects argument {position} of type {typeof(T)}, but the task passed " +
            $"{(value is null ? "null" : value.GetType().ToString())}; pass a value or key of the declared type.");

    private static string DisplayName(MethodInfo method)
    {
        string name = method.Name;
        if (name.Length == 0 || name[0] != '<')
        {
            return name;
        }

        // Local functions compile to "<Outer>g__Name|0_1"; lambdas to "<Outer>b__0_0".
        int g = name.IndexOf(">g__", StringComparison.Ordinal);
        if (g >= 0)
        {
            int start = g + 4;
            int bar = name.IndexOf('|', start);
            return bar > start ? name[start..bar] : name[start..];
        }

        return "lambda";
    }

    private sealed class ReflectionFunction(Delegate function, string? name) : TaskFunction(function, name)
    {
        private readonly int _arity = function.Method.GetParameters().Length;

        public override int Arity => _arity;

        public override Type ReturnType => Delegate.Method.ReturnType;

        public override object? Invoke(ReadOnlySpan<object?> args)
        {
            CheckArity(args);
            try
            {
                return Delegate.DynamicInvoke(args.ToArray());
            }
            catch (TargetInvocationException e) when (e.InnerException is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerException);
                throw;
            }
        }
    }
}
