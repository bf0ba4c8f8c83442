// Swagger UI on this API's OpenAPI document (a file of its own: the page allows no inline script).
window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#docs', deepLinking: true });
